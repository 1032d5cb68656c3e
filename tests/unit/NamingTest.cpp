#include <gtest/gtest.h>

#include <string>

#include "pipeline/core/Naming.hpp"

namespace samed2d {
namespace {

TEST(NamingTest, ParseNameCutsImageAndMaskNamesIntoTheirParts) {
  ParsedName p;
  const std::string image = image_stem("mr_00", "COVID-19-20", "-a-", slice_label(Axis::Y, 12345));
  const std::string image_name = image + ".png";  // p's fields are views into it
  ASSERT_EQ(parse_name(image_name, false, p), "");
  EXPECT_EQ(p.modality, "mr_00");
  EXPECT_EQ(p.dataset, "COVID-19-20");
  EXPECT_EQ(p.case_name, "-a-");
  EXPECT_EQ(p.slice, "y_12345");
  EXPECT_EQ(p.image_stem, image);

  const std::string mask = mask_stem(image, "0151", 1234);
  const std::string mask_name = mask + ".png";
  ASSERT_EQ(parse_name(mask_name, true, p), "");
  EXPECT_EQ(p.image_stem, image);
  EXPECT_EQ(p.case_name, "-a-");
  EXPECT_EQ(p.class_id, "0151");
  EXPECT_EQ(p.instance, "1234");
}

// fuzz_sa_name found that the parser took slice and instance numbers with more zeros than the
// converter's padding ever writes: "mr_cine--ACDC--patient001_frame01--x_00000006.png" parsed,
// yet rebuilt from its parts it is "...--x_0006.png", so `samed2d validate` passed names that
// break SPEC section 2 ("more digits only when the index needs them").
TEST(NamingTest, ParseNameRefusesSliceAndInstanceNumbersPaddedBeyondTheirWidth) {
  ParsedName p;
  EXPECT_EQ(parse_name("mr_cine--ACDC--patient001_frame01--x_00000006.png", false, p),
            "slice 'x_00000006' is padded beyond 4 digits (x_0006, not x_00006)");
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--liver_1--z_00123.png", false, p),
            "slice 'z_00123' is padded beyond 4 digits (x_0006, not x_00006)");
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--liver_1--z_0123--0003_0001.png", true, p),
            "instance '0001' is padded beyond 3 digits (_001, not _0001)");
  // Numbers that need the digits are fine.
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--liver_1--z_10123--0003_1000.png", true, p), "");
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--liver_1--z_0000--0003_000.png", true, p), "");
}

}  // namespace
}  // namespace samed2d
