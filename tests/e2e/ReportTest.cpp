// End-to-end: `samed2d report TREE` on a small two-dataset tree that samed2d converted: the page's
// counts against counts taken from the file names on disk, its charts and tags, the previews
// (files, sizes, overlay pixels), determinism, where it writes, and a headless chromium render
// when chromium is installed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/DatasetRun.hpp"
#include "support/RunTool.hpp"
#include "support/TestData.hpp"

namespace samed2d::test {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::size_t, 3> kSize{12, 10, 8};

std::string read_text(const fs::path& file) {
  std::ifstream f(file, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> file_names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The name's "--" fields: modality, dataset, case, slice[, CCCC_III.png].
std::vector<std::string> fields(std::string name) {
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".png") == 0)
    name.resize(name.size() - 4);
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto at = name.find("--"); at != std::string::npos; at = name.find("--", start)) {
    out.push_back(name.substr(start, at - start));
    start = at + 2;
  }
  out.push_back(name.substr(start));
  return out;
}

// The elements that must be closed, checked as a stack; void and self-closed tags are skipped,
// script and style bodies are not parsed. Returns an empty string when balanced, else where not.
std::string unbalanced_tags(const std::string& html) {
  static const std::set<std::string> kChecked{
      "html", "head", "body",   "title", "style", "script", "h1", "h2", "h3",
      "p",    "nav",  "a",      "svg",   "text",  "table",  "tr", "th", "td",
      "span", "div",  "figure", "ul",    "li",    "code",   "b",  "g",  "figcaption"};
  std::vector<std::string> stack;
  static const std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>)");
  std::size_t pos = 0;
  while (pos < html.size()) {
    std::smatch m;
    const std::string rest = html.substr(pos);
    if (!std::regex_search(rest, m, tag)) break;
    const bool closing = m[1].length() > 0;
    const std::string name = m[2];
    const bool self_closed = !m[3].str().empty() && m[3].str().back() == '/';
    pos += static_cast<std::size_t>(m.position(0) + m.length(0));
    if (!kChecked.count(name) || self_closed) continue;
    if (!closing) {
      stack.push_back(name);
      if (name == "script" || name == "style") {  // skip to the end tag
        const auto end = html.find("</" + name + ">", pos);
        if (end == std::string::npos) return "<" + name + "> never closed";
        pos = end;
      }
    } else {
      if (stack.empty() || stack.back() != name)
        return "</" + name + "> at byte " + std::to_string(pos) + " closes <" +
               (stack.empty() ? std::string("nothing") : stack.back()) + ">";
      stack.pop_back();
    }
  }
  if (!stack.empty()) return "<" + stack.back() + "> never closed";
  return {};
}

// The text of the row `<tr data-KEY="VALUE">...</tr>`, or "" when there is none.
std::string row_of(const std::string& html, const std::string& key, const std::string& value) {
  const std::string open = "<tr data-" + key + "=\"" + value + "\">";
  const auto at = html.find(open);
  if (at == std::string::npos) return {};
  return html.substr(at, html.find("</tr>", at) - at);
}

// The images' src attributes in page order.
std::vector<std::string> img_sources(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex img(R"re(<img src="([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), img); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1]);
  return out;
}

// A picture as RGB (grey stored pictures expanded).
std::vector<std::uint8_t> rgb_of(const PngImage& png) {
  if (png.channels == 3) return png.pixels;
  std::vector<std::uint8_t> out;
  for (const auto v : png.pixels) out.insert(out.end(), {v, v, v});
  return out;
}

struct Counts {
  std::size_t images = 0;
  std::size_t masks = 0;
};

class ReportTest : public ::testing::Test {
 protected:
  static TempDir* dir;
  static fs::path tree;
  // From the file names on disk, not from the tool.
  static std::map<std::string, Counts> per_dataset, per_modality;
  static std::map<std::string, std::size_t> masks_per_class;                 // "0001" -> masks
  static std::map<std::string, std::vector<std::string>> images_of_dataset;  // stems, ascending

  static void convert(const std::string& dataset, const std::string& modality,
                      const std::string& labels,
                      const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& cases) {
    const fs::path in = *dir / ("in_" + dataset);
    std::vector<std::int16_t> image(kSize[0] * kSize[1] * kSize[2]);
    for (std::size_t v = 0; v < image.size(); ++v)
      image[v] = static_cast<std::int16_t>((v * 7) % 401);
    for (const auto& [name, label] : cases) {
      write_volume(in / (name + ".nii.gz"), kSize, image);
      write_volume(in / (name + "_seg.nii.gz"), kSize, label);
    }
    write_text_file(*dir / (dataset + ".json"),
                    "{\"dataset\": \"" + dataset +
                        "\", \"cases\": \"*[0-9].nii.gz\", \"modality\": \"" + modality +
                        "\", \"label\": \"{stem}_seg.nii.gz\", \"labels\": " + labels + "}");
    const auto run =
        run_samed2d({"convert", "--config", (*dir / (dataset + ".json")).string(), "--input",
                     in.string(), "--output", tree.string(), "--axes", "x", "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  static void SetUpTestSuite() {
    dir = new TempDir;
    tree = *dir / "tree";
    std::vector<std::uint8_t> a1, a2, b1;
    fill_box(a1, kSize, {1, 1, 1}, {5, 5, 6}, 1);   // liver
    fill_box(a1, kSize, {7, 5, 3}, {11, 9, 7}, 2);  // spleen
    fill_box(a2, kSize, {2, 2, 2}, {5, 4, 5}, 1);   // two liver instances
    fill_box(a2, kSize, {8, 6, 3}, {11, 9, 5}, 1);
    fill_box(b1, kSize, {3, 3, 2}, {9, 8, 4}, 3);  // left kidney
    convert("RepAbdomen", "ct_00", R"({"1": "liver", "2": "spleen"})", {{"a_1", a1}, {"a_2", a2}});
    convert("RepKidney", "mr_00", R"({"3": "left_kidney"})", {{"b_1", b1}});

    for (const auto& name : file_names(tree / "images")) {
      const auto f = fields(name);
      ++per_dataset[f[1]].images;
      ++per_modality[f[0]].images;
      images_of_dataset[f[1]].push_back(name.substr(0, name.size() - 4));
    }
    for (const auto& name : file_names(tree / "masks")) {
      const auto f = fields(name);
      ++per_dataset[f[1]].masks;
      ++per_modality[f[0]].masks;
      ++masks_per_class[f[4].substr(0, 4)];
    }
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }

  // The preview files a page names, checked to exist and to be the size of their image; returns
  // the stems of the images previewed, in page order.
  static std::vector<std::string> check_previews(const fs::path& page, const std::string& html) {
    std::vector<std::string> stems;
    const std::string folder = page.stem().string() + "_previews/";
    for (const auto& src : img_sources(html)) {
      EXPECT_EQ(src.rfind(folder, 0), 0u) << src;
      const fs::path file = page.parent_path() / src;
      EXPECT_TRUE(fs::is_regular_file(file)) << file;
      if (!fs::is_regular_file(file)) continue;
      const std::string stem = file.stem().string();
      stems.push_back(stem);
      const PngImage preview = read_png(file);
      const PngImage image = read_png(tree / "images" / (stem + ".png"));
      EXPECT_EQ(preview.width, image.width) << file;
      EXPECT_EQ(preview.height, image.height) << file;
      EXPECT_EQ(preview.channels, 3) << file;
      const std::string size_attrs = "width=\"" + std::to_string(image.width) + "\" height=\"" +
                                     std::to_string(image.height) + "\"";
      EXPECT_NE(html.find("<img src=\"" + src + "\" " + size_attrs), std::string::npos) << src;
    }
    return stems;
  }
};

TempDir* ReportTest::dir = nullptr;
fs::path ReportTest::tree;
std::map<std::string, Counts> ReportTest::per_dataset, ReportTest::per_modality;
std::map<std::string, std::size_t> ReportTest::masks_per_class;
std::map<std::string, std::vector<std::string>> ReportTest::images_of_dataset;

TEST_F(ReportTest, PageHoldsTheCountsChartsAndPreviews) {
  ASSERT_EQ(per_dataset.size(), 2u);
  ASSERT_EQ(per_modality.size(), 2u);
  ASSERT_EQ(masks_per_class.size(), 3u);
  ASSERT_GT(images_of_dataset["RepAbdomen"].size(), 4u);  // so that the sample is a sample
  ASSERT_LT(images_of_dataset["RepKidney"].size(), 4u);

  const auto run = run_samed2d({"report", tree.string(), "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");  // --quiet: no progress line
  const fs::path page = tree / "report.html";
  ASSERT_TRUE(fs::is_regular_file(page));
  const std::string html = read_text(page);

  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(unbalanced_tags(html), "");
  // Three charts: modalities, datasets, classes; nothing else is an svg.
  EXPECT_EQ(count_of(html, "<svg"), 3u);
  EXPECT_EQ(count_of(html, "<svg class=\"chart\""), 3u);
  EXPECT_EQ(count_of(html, "</svg>"), 3u);
  EXPECT_EQ(count_of(html, "<table"), 3u);
  EXPECT_EQ(count_of(html, "</table>"), 3u);
  // Self-contained: nothing fetched from elsewhere.
  EXPECT_EQ(count_of(html, "http:"), 0u);
  EXPECT_EQ(count_of(html, "https:"), 0u);
  EXPECT_EQ(count_of(html, "<link"), 0u);
  EXPECT_EQ(count_of(html, "<script src"), 0u);
  EXPECT_EQ(count_of(html, "url("), 0u);
  EXPECT_EQ(count_of(html, "@import"), 0u);

  // The table row of `name` under `kind`, with its counts of images and masks.
  const auto expect_row = [&](const std::string& kind, const std::string& name, const auto& c) {
    const std::string row = row_of(html, kind, name);
    ASSERT_FALSE(row.empty()) << name;
    EXPECT_NE(row.find("data-images=\"" + std::to_string(c.images) + "\""), std::string::npos)
        << row;
    EXPECT_NE(row.find("data-masks=\"" + std::to_string(c.masks) + "\""), std::string::npos) << row;
  };
  for (const auto& [name, c] : per_dataset) {
    expect_row("dataset", name, c);
    // The chart has a row labelled with it.
    EXPECT_NE(html.find("text-anchor=\"end\" fill=\"#222\">" + name + "</text>"), std::string::npos)
        << name;
  }
  for (const auto& [name, c] : per_modality) expect_row("modality", name, c);
  EXPECT_EQ(count_of(html, "<tr data-dataset="), 2u);
  EXPECT_EQ(count_of(html, "<tr data-modality="), 2u);
  EXPECT_EQ(count_of(html, "<tr data-class="), 3u);
  for (const auto& [id, masks] : masks_per_class) {
    const std::string row = row_of(html, "class", id);
    ASSERT_FALSE(row.empty()) << id;
    EXPECT_NE(row.find("data-masks=\"" + std::to_string(masks) + "\""), std::string::npos) << row;
  }
  EXPECT_NE(row_of(html, "class", class_id("liver")).find(">liver<"), std::string::npos);

  // Previews: 4 of RepAbdomen, evenly spaced over its sorted names; all of RepKidney.
  const auto stems = check_previews(page, html);
  std::vector<std::string> want;
  const auto& abdomen = images_of_dataset["RepAbdomen"];
  for (std::size_t k = 0; k < 4; ++k) want.push_back(abdomen[(2 * k + 1) * abdomen.size() / 8]);
  for (const auto& s : images_of_dataset["RepKidney"]) want.push_back(s);
  EXPECT_EQ(stems, want);
  EXPECT_EQ(file_names(tree / "report_previews").size(), want.size());
}

TEST_F(ReportTest, PreviewPixelsShowTheMasksAndNothingElse) {
  const fs::path page = *dir / "pixels" / "view.html";
  const auto run = run_samed2d({"report", tree.string(), "--to", page.string(), "--samples", "9"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = read_text(page);
  const auto stems = check_previews(page, html);
  ASSERT_EQ(stems.size(), per_dataset["RepAbdomen"].images + per_dataset["RepKidney"].images);
  const auto masks = file_names(tree / "masks");
  std::size_t inside_checked = 0, outside_checked = 0;
  for (const auto& stem : stems) {
    const PngImage image = read_png(tree / "images" / (stem + ".png"));
    const auto plain = rgb_of(image);
    const auto shown = read_png(page.parent_path() / "view_previews" / (stem + ".png")).pixels;
    ASSERT_EQ(shown.size(), plain.size());
    std::vector<int> covered(image.width * image.height, 0);
    std::map<std::string, std::vector<std::size_t>> class_pixels;
    for (const auto& m : masks) {
      if (m.rfind(stem + "--", 0) != 0) continue;
      const PngImage mask = read_png(tree / "masks" / m);
      ASSERT_EQ(mask.pixels.size(), covered.size());
      for (std::size_t i = 0; i < covered.size(); ++i)
        if (mask.pixels[i] != 0) {
          ++covered[i];
          class_pixels[fields(m)[4].substr(0, 4)].push_back(i);
        }
    }
    ASSERT_FALSE(class_pixels.empty()) << stem;
    for (std::size_t i = 0; i < covered.size(); ++i) {
      const bool same = shown[3 * i] == plain[3 * i] && shown[3 * i + 1] == plain[3 * i + 1] &&
                        shown[3 * i + 2] == plain[3 * i + 2];
      if (covered[i] > 0) {
        EXPECT_FALSE(same) << stem << " pixel " << i << " is in a mask";
        ++inside_checked;
      } else {
        EXPECT_TRUE(same) << stem << " pixel " << i << " is in no mask";
        ++outside_checked;
      }
    }
    // The legend names each class of the image with a colour, and the preview shows that colour
    // (the outline) on pixels of that class.
    const auto fig = html.find("<figure data-image=\"" + stem + "\">");
    ASSERT_NE(fig, std::string::npos) << stem;
    const std::string figure = html.substr(fig, html.find("</figure>", fig) - fig);
    EXPECT_EQ(count_of(figure, "<li data-class="), class_pixels.size()) << figure;
    for (const auto& [id, pixels] : class_pixels) {
      std::smatch m;
      const std::regex li("<li data-class=\"" + id + "\" data-color=\"#([0-9a-f]{6})\"");
      ASSERT_TRUE(std::regex_search(figure, m, li)) << id << " in " << figure;
      const unsigned long rgb = std::stoul(m[1], nullptr, 16);
      bool seen = false;
      for (const auto i : pixels)
        seen = seen || (shown[3 * i] == ((rgb >> 16) & 255) &&
                        shown[3 * i + 1] == ((rgb >> 8) & 255) && shown[3 * i + 2] == (rgb & 255));
      EXPECT_TRUE(seen) << stem << ": no pixel of class " << id << " has its colour #" << m[1];
    }
  }
  EXPECT_GT(inside_checked, 0u);
  EXPECT_GT(outside_checked, 0u);
  // Other classes get other colours.
  std::set<std::string> colors;
  static const std::regex color(R"re(<li data-class="(\d{4})" data-color="(#[0-9a-f]{6})")re");
  std::map<std::string, std::string> color_of_class;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), color);
       it != std::sregex_iterator(); ++it)
    color_of_class[(*it)[1]] = (*it)[2];
  EXPECT_EQ(color_of_class.size(), 3u);
  for (const auto& [id, c] : color_of_class) colors.insert(c);
  EXPECT_EQ(colors.size(), 3u);
}

TEST_F(ReportTest, SameBytesTwiceAndNothingWrittenIntoTheTree) {
  const auto before_images = file_names(tree / "images");
  const auto before_masks = file_names(tree / "masks");
  const fs::path page = *dir / "twice" / "r.html";
  auto run = run_samed2d({"report", tree.string(), "--to", page.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string first = read_text(page);
  std::map<std::string, std::vector<std::uint8_t>> first_previews;
  for (const auto& n : file_names(*dir / "twice" / "r_previews"))
    first_previews[n] = read_bytes(*dir / "twice" / "r_previews" / n);
  ASSERT_EQ(first_previews.size(), 4 + images_of_dataset["RepKidney"].size());

  run = run_samed2d({"report", tree.string(), "--to", page.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(read_text(page), first);
  std::map<std::string, std::vector<std::uint8_t>> second_previews;
  for (const auto& n : file_names(*dir / "twice" / "r_previews"))
    second_previews[n] = read_bytes(*dir / "twice" / "r_previews" / n);
  EXPECT_EQ(second_previews, first_previews);
  // Only the page and its folder, no temporary file left.
  EXPECT_EQ(file_names(*dir / "twice"), (std::vector<std::string>{"r.html", "r_previews"}));

  // Fewer samples: the previews the page no longer shows are removed.
  run = run_samed2d({"report", tree.string(), "--to", page.string(), "--samples", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(file_names(*dir / "twice" / "r_previews").size(), 2u);
  EXPECT_EQ(img_sources(read_text(page)).size(), 2u);

  EXPECT_EQ(file_names(tree / "images"), before_images);
  EXPECT_EQ(file_names(tree / "masks"), before_masks);
}

TEST_F(ReportTest, RefusesAFolderThatIsNotATree) {
  const fs::path empty = *dir / "empty";
  fs::create_directories(empty);
  const auto run = run_samed2d({"report", empty.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(count_of(run.err, "\n"), 1u) << run.err;
  EXPECT_NE(run.err.find("SAMed2D_v1.json"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::is_empty(empty));

  const auto missing = run_samed2d({"report", (*dir / "no-such-folder").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(count_of(missing.err, "\n"), 1u) << missing.err;
}

TEST_F(ReportTest, RefusesToWriteIntoImagesOrMasks) {
  for (const char* sub : {"images", "masks"}) {
    const auto before = file_names(tree / sub);
    const auto run =
        run_samed2d({"report", tree.string(), "--to", (tree / sub / "r.html").string(), "--quiet"});
    EXPECT_EQ(run.exit_code, 2) << sub;
    EXPECT_EQ(count_of(run.err, "\n"), 1u) << run.err;
    EXPECT_EQ(file_names(tree / sub), before) << sub;
  }
}

// Where chromium is, or "" when it is not installed.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');)
    for (const char* name : {"chromium", "chromium-browser"})
      if (!d.empty() && ::access((fs::path(d) / name).c_str(), X_OK) == 0)
        return (fs::path(d) / name).string();
  return {};
}

TEST_F(ReportTest, RendersInHeadlessChromium) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium is not installed (Debian package chromium): the page was not "
                    "rendered in a browser";
  const fs::path page = *dir / "browser" / "report.html";
  const auto run = run_samed2d({"report", tree.string(), "--to", page.string(), "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::size_t previews = img_sources(read_text(page)).size();
  ASSERT_EQ(previews, 4 + images_of_dataset["RepKidney"].size());
  const auto dom = run_command({chromium, "--headless", "--disable-gpu", "--no-sandbox",
                                "--user-data-dir=" + (*dir / "chromium-profile").string(),
                                "--dump-dom", "file://" + fs::absolute(page).string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // The page's inline script counts, after load, the images that decoded (naturalWidth > 0).
  const std::string loaded = std::to_string(previews) + "/" + std::to_string(previews);
  EXPECT_NE(dom.out.find("data-loaded=\"" + loaded + "\""), std::string::npos)
      << dom.out.substr(0, std::min<std::size_t>(dom.out.size(), 400));
  EXPECT_NE(dom.out.find("data-charts=\"3\""), std::string::npos);
  EXPECT_EQ(count_of(dom.out, "<svg class=\"chart\""), 3u);
  EXPECT_EQ(count_of(dom.out, "</svg>"), 3u);
}

}  // namespace
}  // namespace samed2d::test
