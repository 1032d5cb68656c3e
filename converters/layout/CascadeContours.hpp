#pragma once
// CASCADE contour files (the vessel-wall review software of the University of Washington, used
// by the carotid vessel wall challenges, COSMOS 2022): a QVJ file per artery side names its QVS
// file; the QVS file holds one <QVAS_Image> element per slice of the image series, in slice
// order, each with zero or more <QVAS_Contour> elements:
//
//   <QVAS_Image ImageName="...">
//     <QVAS_Contour>
//       <Contour_Point><Point x="251.3" y="240.0"/>...</Contour_Point>
//       <ContourType>Lumen</ContourType>            (or "Outer Wall")
//       ...
//     </QVAS_Contour>
//   </QVAS_Image>
//
// The point coordinates are in a square frame (512 x 512 in the challenge releases) spanning the
// image: pixel column = x * columns / frame, pixel row = y * rows / frame, pixel (c, r) having
// its centre at (c, r).
//
// The XML is read by a small parser of its own (elements, attributes, text, comments, CDATA,
// processing instructions, the five named and numeric character references; a UTF-16 file is
// read as its ASCII characters): the files are machine-written and only these parts matter.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace samed2d::cascade {

struct Point {
  double x = 0;
  double y = 0;
};

struct Contour {
  std::string type;           // <ContourType> text, surrounding white space removed
  std::vector<Point> points;  // <Contour_Point>'s <Point x y> in file order, as written
};

struct Image {
  std::string name;  // the ImageName attribute ("" when absent)
  std::vector<Contour> contours;
};

// The text of the QVJ file's first <QVAS_Loaded_Series_List>/<QVASSeriesFileName> (the QVS file
// name, relative to the QVJ's folder). `where` names the file in messages. Throws InputError
// (not well-formed XML, no such element, an empty name).
std::string qvs_name_of_qvj(const std::string& xml, const std::string& where);

// The <QVAS_Image> children of the QVS root element in file order (index k = slice k), with
// their contours. Throws InputError for XML that is not well formed, a <Point> whose x or y is
// missing or not a finite number.
std::vector<Image> parse_qvs(const std::string& xml, const std::string& where);

// Sets to `value` every pixel of the `columns` x `rows` slice (row-major, column fastest) whose
// centre lies inside the closed polygon `polygon` (pixel coordinates, the last point joined to
// the first) or on its boundary, inside meaning the even-odd rule. Scanline fill: for each row
// r, the crossings of the line y = r with the edges whose y-range [y0, y1) (lower end included,
// upper excluded; horizontal edges skipped) holds r are sorted and pixels c with x_{2m} <= c <=
// x_{2m+1} filled; then every pixel centre lying exactly on an edge is filled too. Pixels outside
// the slice are never touched.
void fill_polygon(const std::vector<Point>& polygon, std::size_t columns, std::size_t rows,
                  std::uint8_t value, std::uint8_t* slice);

}  // namespace samed2d::cascade
