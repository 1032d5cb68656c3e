#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>

#include "converters/layout/PathTemplate.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/ErrorOf.hpp"

namespace samed2d {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string render(const std::string& text, const std::string& rel,
                   const std::string& root = "root") {
  return PathTemplate(text, "test.json: \"label\"").render(rel, root);
}

std::string error_of(const std::string& text) {
  return test::error_of<ConfigError>([&] { PathTemplate t(text, "test.json: \"label\""); });
}

TEST(PathTemplateTest, PlaceholdersOfANestedFile) {
  const std::string rel = "database/training/patient001/patient001_frame01.nii.gz";
  EXPECT_EQ(render("{path}", rel), rel);
  EXPECT_EQ(render("{dir}", rel), "database/training/patient001");
  EXPECT_EQ(render("{name}", rel), "patient001_frame01.nii.gz");
  EXPECT_EQ(render("{stem}", rel), "patient001_frame01");
  EXPECT_EQ(render("{parent}", rel), "patient001");
  EXPECT_EQ(render("{dir}/{stem}_gt.nii.gz", rel),
            "database/training/patient001/patient001_frame01_gt.nii.gz");
}

TEST(PathTemplateTest, PlaceholdersOfAFileAtTheTop) {
  EXPECT_EQ(render("{path}", "ch2.nii.gz", "colin27"), "ch2.nii.gz");
  EXPECT_EQ(render("{dir}", "ch2.nii.gz", "colin27"), ".");
  EXPECT_EQ(render("{name}", "ch2.nii.gz", "colin27"), "ch2.nii.gz");
  EXPECT_EQ(render("{stem}", "ch2.nii.gz", "colin27"), "ch2");
  EXPECT_EQ(render("{parent}", "ch2.nii.gz", "colin27"), "colin27");
  EXPECT_EQ(render("{dir}/{stem}_seg.nii", "ch2.nii.gz", "colin27"), "./ch2_seg.nii");
}

TEST(PathTemplateTest, OneFolderDeep) {
  EXPECT_EQ(render("{dir}", "s0065/ct.nii.gz"), "s0065");
  EXPECT_EQ(render("{parent}", "s0065/ct.nii.gz"), "s0065");
  EXPECT_EQ(render("{parent}/segmentations/liver.nii.gz", "s0065/ct.nii.gz"),
            "s0065/segmentations/liver.nii.gz");
}

TEST(PathTemplateTest, StemStripsOnlyTheFormatExtension) {
  EXPECT_EQ(render("{stem}", "x/1.3.6.1.4.1.9328.50.4.0115.nii.gz"), "1.3.6.1.4.1.9328.50.4.0115");
  EXPECT_EQ(render("{stem}", "benign (12).png"), "benign (12)");
  EXPECT_EQ(render("{stem}", "notes.txt"), "notes.txt");
  EXPECT_EQ(render("{stem}", "CASE.NII.GZ"), "CASE");
}

TEST(PathTemplateTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(render("{{stem}}", "a/b.nii"), "{stem}");
  EXPECT_EQ(render("x{{{stem}}}y", "a/b.nii"), "x{b}y");
  EXPECT_EQ(render("}}{{", "a/b.nii"), "}{");
}

TEST(PathTemplateTest, AnAffixIsRemovedOnlyWhereTheFieldHasIt) {
  const std::string covid = "Train/volume-covid19-A-0003_ct.nii.gz";
  EXPECT_EQ(render("{dir}/{stem%_ct}_seg.nii.gz", covid), "Train/volume-covid19-A-0003_seg.nii.gz");
  EXPECT_EQ(render("{stem%_ct}", covid), "volume-covid19-A-0003");
  EXPECT_EQ(render("{stem%_seg}", covid), "volume-covid19-A-0003_ct");
  EXPECT_EQ(render("{stem%-A-0003_ct}", covid), "volume-covid19");
  EXPECT_EQ(render("{name%.nii.gz}", covid), "volume-covid19-A-0003_ct");
  const std::string btcv = "RawData/Training/img/img0001.nii.gz";
  EXPECT_EQ(render("{dir}/../label/label{stem#img}.nii.gz", btcv),
            "RawData/Training/img/../label/label0001.nii.gz");
  EXPECT_EQ(render("{stem#label}", btcv), "img0001");
  EXPECT_EQ(render("{parent#im}|{dir#RawData/}|{path%.gz}", btcv),
            "g|Training/img|RawData/Training/img/img0001.nii");
  EXPECT_EQ(render("{stem%img0001}", btcv), "");
  EXPECT_EQ(render("{stem%ximg0001}", btcv), "img0001");
}

TEST(PathTemplateTest, TemplateErrorsNameTheTemplateAndTheProblem) {
  EXPECT_THAT(error_of("{dir}/{stme}_gt.nii.gz"),
              AllOf(HasSubstr("test.json: \"label\""), HasSubstr("{stme}"), HasSubstr("{stem}")));
  EXPECT_THAT(error_of("{dir/x"), HasSubstr("never closed"));
  EXPECT_THAT(error_of("{dir{stem}}"), HasSubstr("never closed"));
  EXPECT_THAT(error_of("a}b"), HasSubstr("no '{' before it"));
  EXPECT_THAT(error_of("{}"), HasSubstr("unknown placeholder"));
  EXPECT_THAT(error_of("{stme%_ct}"), AllOf(HasSubstr("{stme}"), HasSubstr("{stem%_ct}")));
  EXPECT_THAT(error_of("{stem%}"), HasSubstr("nothing after '%'"));
  EXPECT_THAT(error_of("{stem#}"), HasSubstr("nothing after '#'"));
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
  EXPECT_EQ(error_of("{parent}/{name}"), "(no error)");
}

TEST(PathTemplateTest, GrandparentIsTheFolderAboveTheParent) {
  EXPECT_EQ(render("{grandparent}", "CHAOS/Train_Sets/MR/1/T2SPIR/DICOM_anon/a.dcm"), "T2SPIR");
  EXPECT_EQ(render("{grandparent}/{parent}", "a/b/c.png"), "a/b");
  EXPECT_EQ(render("{grandparent}", "b/c.png", "data"), "data");
  EXPECT_EQ(PathTemplate("{grandparent}", "t").render("c.png", "data", "up"), "up");
  EXPECT_EQ(PathTemplate("{grandparent}", "t").render("c.png", "data"), "");
}

// {up3} ... {up9}: BraTS 2015's grade folder is three levels above the label file
// (HGG/<case>/VSD...OT.<id>/file.mha), QUBIQ's subset folder three above the task files.
TEST(PathTemplateTest, UpNIsTheFolderThatManyLevelsAboveTheFile) {
  const std::string path = "BRATS2015_Training/HGG/brats_2013_pat0001_1/VSD.OT.54517/x.mha";
  EXPECT_EQ(render("{up3}_{grandparent}", path), "HGG_brats_2013_pat0001_1");
  EXPECT_EQ(render("{up4}", path), "BRATS2015_Training");
  EXPECT_EQ(render("{up5}", path, "data"), "data");  // the input root itself
  EXPECT_EQ(PathTemplate("{up6}", "t").render(path, "data", "above"), "above");
  EXPECT_EQ(PathTemplate("{up7}", "t").render(path, "data", "above"), "");
  EXPECT_EQ(render("{up3%GG}", path), "H");
  EXPECT_THAT(error_of("{up2}"), HasSubstr("{up3}"));
  EXPECT_THAT(error_of("{up10}"), HasSubstr("unknown placeholder"));
}

TEST(PathTemplateTest, PlaceholdersStripAFixedPrefixOrSuffix) {
  // BTCV img0001 -> label0001; AbdomenCT-1K Case_00001_0000 -> Case_00001.
  EXPECT_EQ(render("{dir}/../label/label{stem#img}.nii.gz", "RawData/Training/img/img0001.nii.gz"),
            "RawData/Training/img/../label/label0001.nii.gz");
  EXPECT_EQ(render("{stem%_0000}", "Part1/Case_00001_0000.nii.gz"), "Case_00001");
  // A value without the prefix or suffix is used whole, as a shell does.
  EXPECT_EQ(render("{stem%_0000}", "Part1/Case_00001.nii.gz"), "Case_00001");
  EXPECT_EQ(render("{stem#img}", "x/label0001.nii.gz"), "label0001");
  // Only one end, only once.
  EXPECT_EQ(render("{stem%_mask}", "m/a_mask_mask.png"), "a_mask");
  EXPECT_EQ(render("{parent#s}", "ts/s0065/ct.nii.gz"), "0065");
  // In a pattern the stripped value is still escaped.
  EXPECT_EQ(PathTemplate("{stem%_mask}*.png", "c").render_pattern("a[1]_mask.png", "r"),
            "a\\[1\\]*.png");
}

TEST(PathTemplateTest, PlainTemplatesAreNotPatterns) {
  for (const std::string text :
       {"{dir}/{stem}_gt.nii.gz", "{{x}}", "{dir}/../images/{stem}.nii", "a (1).png", "a]b"})
    EXPECT_FALSE(PathTemplate(text, "t").is_pattern()) << text;
  for (const std::string text : {"{dir}/{stem}_mask*.png", "{dir}/{stem}{_seg,_Segm}.nii",
                                 "{dir}/x?.nii", "[ab].nii", "a\\*b"})
    EXPECT_TRUE(PathTemplate(text, "t").is_pattern()) << text;
}

TEST(PathTemplateTest, PatternsEscapeValuesAndKeepWildcardsAndAlternatives) {
  // {template, path, the pattern it renders to}
  const std::vector<std::array<std::string, 3>> cases{
      // A BUSI name: spaces and parentheses are plain; brackets and braces get escaped.
      {"{dir}/{stem}_mask*.png", "Dataset_BUSI_with_GT/benign/benign (12).png",
       "Dataset_BUSI_with_GT/benign/benign (12)_mask*.png"},
      {"{dir}/{stem}_mask*.png", "x/a[1]{b,c}*.png", "x/a\\[1\\]\\{b\\,c\\}\\*_mask*.png"},
      {"{dir}/*{_seg,_Segm}.nii", "B_355/B_355_t1.nii", "B_355/*{_seg,_Segm}.nii"},
      {"{{{stem}}}*,x", "a/b.nii", "\\{b\\}*\\,x"},
      {"a\\*b*", "a/b.nii", "a\\*b*"}};
  for (const auto& [text, rel, want] : cases)
    EXPECT_EQ(PathTemplate(text, "t").render_pattern(rel, "root"), want) << text << " on " << rel;
  // render() gives the same text with the values as they are.
  EXPECT_EQ(PathTemplate("{dir}/{stem}_mask*.png", "t").render("d/a[1].png", "root"),
            "d/a[1]_mask*.png");
}

TEST(PathTemplateTest, AlternativesHoldNoPlaceholders) {
  EXPECT_THAT(error_of("{dir}/{{stem}_seg,x}.nii"), HasSubstr("no '{' before it"));
  EXPECT_THAT(error_of("{dir}/{a,{stem}}.nii"), HasSubstr("never closed"));
  EXPECT_THAT(error_of("{dir}/x.nii\\"), HasSubstr("lone '\\'"));
  EXPECT_THAT(error_of("{grandparnt}"), HasSubstr("{grandparent}"));
  EXPECT_EQ(error_of("{dir}/{a,b}.nii"), "(no error)");
}

}  // namespace
}  // namespace samed2d
