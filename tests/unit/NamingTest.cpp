#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

// Every way a name can break SPEC section 2 gets its own reason (validate prints it).
TEST(NamingTest, ParseNameSaysWhichFieldIsWrong) {
  const std::vector<std::pair<std::string, std::string>> images{
      {"ct_00.png", "has no '--' separated fields"},
      {"CT--MSD--a--z_0001.png", "modality 'CT' is not lower-case letters, digits and _"},
      {"ct_00--MSD_Liver.png", "has too few fields (modality--dataset--case--slice expected)"},
      {"ct_00--MSD Liver--a--z_0001.png",
       "dataset 'MSD Liver' is not letters, digits, _, . and single -"},
      {"ct_00--MSD_Liver--liver_1.png",
       "has too few fields (modality--dataset--case--slice expected)"},
      {"ct_00--MSD_Liver----z_0001.png", "case is empty"},
      {"ct_00--MSD_Liver--a--b--z_0001.png",
       "case 'a--b' holds '--' (too many fields, or an unsanitized case)"},
      {"ct_00--MSD_Liver--a b--z_0001.png",
       "case 'a b' holds '/', '\\', white space or a control character"},
      {"ct_00--MSD_Liver--a--w_0001.png",
       "slice 'w_0001' is not x_NNNN, y_NNNN, z_NNNN (4+ digits) or 2d_none"},
  };
  ParsedName p;
  for (const auto& [name, reason] : images) EXPECT_EQ(parse_name(name, false, p), reason) << name;
  EXPECT_EQ(parse_name("ct_00.png", true, p), "has no '--' separated fields");
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--a--z_0001--3_001.png", true, p),
            "last field '3_001' is not {class:04d}_{instance:03d} (a mask name ends with "
            "--CCCC_III)");
  EXPECT_EQ(parse_name("ct_00--MSD_Liver--0003_001.png", true, p),
            "has too few fields (modality--dataset--case--slice expected)");
}

}  // namespace
}  // namespace samed2d
