#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>

#include "converters/layout/Glob.hpp"
#include "pipeline/core/Errors.hpp"
#include "support/TestData.hpp"

namespace samed2d {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Every name of `yes` matches `pattern` and no name of `no` does.
void expect_matches(const std::string& pattern, std::initializer_list<std::string_view> yes,
                    std::initializer_list<std::string_view> no) {
  const Glob g(pattern);
  for (const auto name : yes) EXPECT_TRUE(g.matches(name)) << pattern << " should match " << name;
  for (const auto name : no)
    EXPECT_FALSE(g.matches(name)) << pattern << " should not match " << name;
}

void touch(const fs::path& file) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "x";
}

std::string error_of(const std::string& pattern) {
  try {
    Glob g(pattern);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// POSIX fnmatch with FNM_PATHNAME is an independent implementation of the same rules for
// patterns without "**": '*', '?' and sets never match '/', '\' escapes.
TEST(GlobTest, MatchesAgreeWithFnmatchForSingleSegmentWildcards) {
  const std::vector<std::string> patterns{"*.nii.gz",
                                          "patient*_frame[0-9][0-9].nii.gz",
                                          "?a*",
                                          "[!a]*",
                                          "[^a-c]?",
                                          "a\\*b",
                                          "*_gt*",
                                          "x/*/y",
                                          "*/*",
                                          "[a-c-]*",
                                          "*a*b*c",
                                          "a?c",
                                          "*.[nN][iI][iI]",
                                          "case_0000[0-4]/imaging.nii.gz",
                                          "\\[x\\]",
                                          "*x*y*z*"};
  const std::vector<std::string> names{"a.nii.gz",
                                       "patient001_frame01.nii.gz",
                                       "patient001_frame01_gt.nii.gz",
                                       "patient001_4d.nii.gz",
                                       "ba",
                                       "bab",
                                       "abc",
                                       "a*b",
                                       "axb",
                                       "x/q/y",
                                       "x/q/r/y",
                                       "x/y",
                                       "a/b",
                                       "-",
                                       "d",
                                       "aXbYc",
                                       "acb",
                                       "A.NiI",
                                       "case_00003/imaging.nii.gz",
                                       "case_00005/imaging.nii.gz",
                                       "[x]",
                                       "x",
                                       "xyz",
                                       "zyx",
                                       "a.nii",
                                       ".hidden",
                                       "a/"};
  int compared = 0;
  for (const auto& p : patterns) {
    const Glob glob(p);
    for (const auto& n : names) {
      const bool expected = fnmatch(p.c_str(), n.c_str(), FNM_PATHNAME) == 0;
      EXPECT_EQ(glob.matches(n), expected) << "pattern " << p << " name " << n;
      ++compared;
    }
  }
  EXPECT_EQ(compared, static_cast<int>(patterns.size() * names.size()));
}

TEST(GlobTest, GlobstarMatchesZeroOrMoreFolders) {
  expect_matches("**/seg/*.nii", {"seg/a.nii", "x/seg/a.nii", "x/y/z/seg/a.nii"},
                 {"x/seg/y/a.nii", "a.nii"});

  expect_matches("data/**/*.nii", {"data/a.nii", "data/b/c/a.nii"}, {"other/a.nii"});

  expect_matches("data/**", {"data/a.nii", "data/b/a.nii"}, {"data"});
}

TEST(GlobTest, TrailingSlashMatchesFoldersInsteadOfFiles) {
  test::TempDir dir;
  touch(dir / "P1" / "T2SPIR" / "DICOM_anon" / "IMG-0001.dcm");
  touch(dir / "P2" / "T2SPIR" / "DICOM_anon" / "IMG-0001.dcm");
  touch(dir / "P3" / "T2SPIR" / "DICOM_anon");  // a file of that name is not a series folder
  touch(dir / "__MACOSX" / "P4" / "T2SPIR" / "DICOM_anon" / "._IMG-0001.dcm");
  const Glob folders("**/T2SPIR/DICOM_anon/");
  EXPECT_TRUE(folders.matches_folders());
  EXPECT_THAT(folders.find(dir.path()),
              ElementsAre("P1/T2SPIR/DICOM_anon", "P2/T2SPIR/DICOM_anon"));
  const Glob files("**/T2SPIR/DICOM_anon");
  EXPECT_FALSE(files.matches_folders());
  EXPECT_THAT(files.find(dir.path()), ElementsAre("P3/T2SPIR/DICOM_anon"));
  EXPECT_THAT(Glob("P*/").find(dir.path()), ElementsAre("P1", "P2", "P3"));
  EXPECT_THAT(Glob("{P1,P2}/*/").find(dir.path()), ElementsAre("P1/T2SPIR", "P2/T2SPIR"));
  EXPECT_THAT(error_of("P1//"), HasSubstr("empty folder name"));
}

TEST(GlobTest, CasesMayBeFoundFromInsideTheAnchoredFolder) {
  test::TempDir dir;
  touch(dir / "Kvasir-SEG" / "images" / "cju0qkwl35piu0993l0dewei2.jpg");
  touch(dir / "RawData" / "Training" / "img" / "img0001.nii.gz");
  touch(dir / "RawData" / "Testing" / "img" / "img0061.nii.gz");
  const Glob kvasir("**/Kvasir-SEG/images/*.jpg");
  // From above, the usual walk; from the anchored folder itself, the rest of the pattern.
  EXPECT_THAT(kvasir.find_cases(dir.path()),
              ElementsAre("Kvasir-SEG/images/cju0qkwl35piu0993l0dewei2.jpg"));
  EXPECT_THAT(kvasir.find(dir / "Kvasir-SEG"), IsEmpty());
  EXPECT_THAT(kvasir.find_cases(dir / "Kvasir-SEG"),
              ElementsAre("images/cju0qkwl35piu0993l0dewei2.jpg"));
  // Several anchor folders: the root's last names must match them in order.
  const Glob btcv("**/RawData/Training/img/img*.nii.gz");
  EXPECT_THAT(btcv.find_cases(dir / "RawData" / "Training"), ElementsAre("img/img0001.nii.gz"));
  EXPECT_THAT(btcv.find_cases(dir / "RawData"), ElementsAre("Training/img/img0001.nii.gz"));
  EXPECT_THAT(btcv.find_cases(dir / "RawData" / "Testing"), IsEmpty());
  // Wildcard anchors and alternatives work the same way.
  EXPECT_THAT(Glob("**/{Kvasir-*,Other}/images/*.jpg").find_cases(dir / "Kvasir-SEG"),
              ElementsAre("images/cju0qkwl35piu0993l0dewei2.jpg"));
  // A pattern without a leading "**/" never looks inside-out.
  EXPECT_THAT(Glob("Kvasir-SEG/images/*.jpg").find_cases(dir / "Kvasir-SEG"), IsEmpty());
}

TEST(GlobTest, QuestionMarkAndSetsMatchOneUtf8Character) {
  EXPECT_TRUE(Glob("caf?.png").matches("caf\xC3\xA9.png"));  // "café.png"
  EXPECT_FALSE(Glob("caf??.png").matches("caf\xC3\xA9.png"));
  EXPECT_TRUE(Glob("[\xC3\xA9\xC3\xA8]x").matches("\xC3\xA8x"));
}

TEST(GlobTest, EscapedClosingBracketInsideSet) {
  expect_matches("[\\]a]b", {"]b", "ab"}, {"\\b"});
}

TEST(GlobTest, MalformedPatternsAreConfigErrorsNamingThePattern) {
  EXPECT_THAT(error_of("a/[bc"), AllOf(HasSubstr("\"a/[bc\""), HasSubstr("unclosed '['")));
  EXPECT_THAT(error_of("a[]b"), HasSubstr("empty set"));
  EXPECT_THAT(error_of("[!]"), HasSubstr("empty set"));
  EXPECT_THAT(error_of("/data/*.nii"), HasSubstr("absolute"));
  EXPECT_THAT(error_of("../x/*.nii"), HasSubstr("\"..\""));
  EXPECT_THAT(error_of("a/../b"), HasSubstr("\"..\""));
  EXPECT_THAT(error_of("a**b"), HasSubstr("\"**\" inside"));
  EXPECT_THAT(error_of("x/***"), HasSubstr("\"**\" inside"));
  EXPECT_THAT(error_of(""), HasSubstr("empty"));
  EXPECT_THAT(error_of("a//b"), HasSubstr("empty folder name"));
  EXPECT_EQ(error_of("a/"), "(no error)");  // a trailing "/" asks for folders
  EXPECT_THAT(error_of("a\\"), HasSubstr("lone '\\'"));
  EXPECT_THAT(error_of("[z-a]"), HasSubstr("reversed range"));
  EXPECT_EQ(error_of("**/a[0-9]*.nii"), "(no error)");
}

class GlobTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"a/x.nii", "a/y.nii", "a/._x.nii", "a/sub/z.nii", "b/deep/er/x.nii",
                          "b/x.nii", "B/x.nii", "top.nii", "__MACOSX/a/x.nii", "a/__MACOSX/x.nii",
                          "a-b/x.nii", "a_b/x.nii", "a.b/x.nii", "._a/x.nii"})
      touch(dir / f);
    fs::create_directories(dir / "a" / "folder.nii");  // a folder is never a result
  }
  test::TempDir dir;
};

TEST_F(GlobTreeTest, ResultsAreFilesInByteOrderWithoutDebris) {
  const auto all = Glob("**/*.nii").find(dir.path());
  // Byte order: 'B' (0x42) < '_' (0x5f) < 'a' (0x61); '-' < '.' < '_' < '/'-free names.
  EXPECT_THAT(all, ElementsAre("B/x.nii", "a-b/x.nii", "a.b/x.nii", "a/sub/z.nii", "a/x.nii",
                               "a/y.nii", "a_b/x.nii", "b/deep/er/x.nii", "b/x.nii", "top.nii"));
}

TEST_F(GlobTreeTest, FindAgreesWithMatchesOverTheWholeTree) {
  // Brute force: every non-debris regular file, filtered by fnmatch (no "**" patterns here).
  for (const std::string pattern : {"*/x.nii", "a/*", "?/*.nii", "[ab]/[x-y].nii", "*.nii"}) {
    std::vector<std::string> expected;
    for (auto it = fs::recursive_directory_iterator(dir.path());
         it != fs::recursive_directory_iterator(); ++it) {
      const auto name = it->path().filename().string();
      if (name.rfind("._", 0) == 0 || name == "__MACOSX") {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file()) continue;
      const auto rel = fs::relative(it->path(), dir.path()).generic_string();
      if (fnmatch(pattern.c_str(), rel.c_str(), FNM_PATHNAME) == 0) expected.push_back(rel);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Glob(pattern).find(dir.path()), expected) << pattern;
  }
}

TEST_F(GlobTreeTest, OnlyListsFoldersThePatternPrefixCanReach) {
  Glob::Walk literal;
  EXPECT_THAT(Glob("a/x.nii").find(dir.path(), &literal), ElementsAre("a/x.nii"));
  EXPECT_EQ(literal.folders_listed, 0u);

  Glob::Walk one;
  EXPECT_THAT(Glob("a/*.nii").find(dir.path(), &one), ElementsAre("a/x.nii", "a/y.nii"));
  EXPECT_EQ(one.folders_listed, 1u);

  // Root listed, then only the matching folders' literal file is looked up.
  Glob::Walk two;
  Glob("[ab]/x.nii").find(dir.path(), &two);
  EXPECT_EQ(two.folders_listed, 1u);
}

TEST_F(GlobTreeTest, ExplicitDebrisNamesAreStillSkipped) {
  EXPECT_THAT(Glob("a/._x.nii").find(dir.path()), IsEmpty());
  EXPECT_THAT(Glob("__MACOSX/a/x.nii").find(dir.path()), IsEmpty());
}

TEST_F(GlobTreeTest, FollowsASymlinkedRootAndSymlinkedFiles) {
  test::TempDir other;
  fs::create_symlink(dir.path(), other / "link");
  EXPECT_THAT(Glob("a/*.nii").find(other / "link"), ElementsAre("a/x.nii", "a/y.nii"));

  fs::create_symlink(dir / "top.nii", dir / "a" / "w.nii");
  // A dangling link matches too, so that its case fails saying what it is instead of vanishing.
  fs::create_symlink(dir / "missing.nii", dir / "a" / "v.nii");
  fs::create_symlink(dir / "a" / "u.nii", dir / "a" / "u.nii");  // a loop
  EXPECT_THAT(Glob("a/*.nii").find(dir.path()),
              ElementsAre("a/u.nii", "a/v.nii", "a/w.nii", "a/x.nii", "a/y.nii"));
  // ...but never a dangling link where folders are matched, nor a link to a folder as a file.
  fs::create_symlink(dir / "a", dir / "b.nii");
  EXPECT_THAT(Glob("*.nii").find(dir.path()), ElementsAre("top.nii"));
  EXPECT_THAT(Glob("a/*/").find(dir.path()), ElementsAre("a/folder.nii", "a/sub"));
}

TEST_F(GlobTreeTest, GlobstarDoesNotLoopThroughFolderSymlinks) {
  fs::create_directory_symlink(dir.path(), dir / "a" / "loop");
  const auto found = Glob("**/z.nii").find(dir.path());
  EXPECT_THAT(found, ElementsAre("a/sub/z.nii"));
  // A segment that names the link explicitly does follow it.
  EXPECT_THAT(Glob("a/loop/top.nii").find(dir.path()), ElementsAre("a/loop/top.nii"));
}

TEST_F(GlobTreeTest, MissingRootIsAConfigError) {
  EXPECT_THROW(Glob("*.nii").find(dir / "nope"), ConfigError);
  EXPECT_THROW(Glob("*.nii").find(dir / "top.nii"), ConfigError);
}

TEST(GlobTest, BraceAlternativesMatchAnyAlternative) {
  expect_matches("**/*.{nii,nii.gz}", {"a/b/x.nii", "x.nii.gz"}, {"x.nii.gzz", "x.mha"});

  expect_matches("BraTS20_Training_*/*{_seg,_Segm}.nii",
                 {"BraTS20_Training_001/BraTS20_Training_001_seg.nii",
                  "BraTS20_Training_355/W39_1998.09.19_Segm.nii"},
                 {"BraTS20_Training_355/W39_1998.09.19_flair.nii"});

  // Alternatives may hold '/', wildcards and nested groups.
  expect_matches("{imagesTr/*,labels/{a,b}x}.png",
                 {"imagesTr/q.png", "labels/ax.png", "labels/bx.png"},
                 {"labels/cx.png", "imagesTr/q/r.png"});

  // Inside a set or escaped, braces and commas are plain characters.
  EXPECT_TRUE(Glob("a[{]b").matches("a{b"));
  EXPECT_TRUE(Glob("\\{a,b\\}").matches("{a,b}"));
  EXPECT_FALSE(Glob("\\{a,b\\}").matches("a"));
  EXPECT_TRUE(Glob("x,y").matches("x,y"));
}

TEST(GlobTest, MalformedBraceGroupsAreConfigErrors) {
  EXPECT_THAT(error_of("*.{nii,gz"), AllOf(HasSubstr("\"*.{nii,gz\""), HasSubstr("never closed")));
  EXPECT_THAT(error_of("*.nii}"), HasSubstr("no '{' before it"));
  EXPECT_THAT(error_of("{stem}.nii"), AllOf(HasSubstr("\"{stem}\""), HasSubstr("without a ','")));
  EXPECT_THAT(error_of("{a,../b}/x"), HasSubstr("\"..\""));
  EXPECT_THAT(error_of("{a,/b}"), HasSubstr("absolute"));
  EXPECT_THAT(error_of("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"),
              HasSubstr("more than 256 alternatives"));
  EXPECT_EQ(error_of("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"), "(no error)");
}

TEST(GlobTest, EscapedTextMatchesOnlyItself) {
  for (const std::string name : {"benign (12).png", "a[1].nii", "x*y?z", "{a,b}", "back\\slash",
                                 "[!x]", "plain_name-1.nii.gz"}) {
    const Glob g(Glob::escape(name));
    EXPECT_TRUE(g.matches(name)) << name;
    EXPECT_FALSE(g.matches(name + "x")) << name;
  }
  EXPECT_EQ(Glob::escape("plain_name-1.nii.gz"), "plain_name-1.nii.gz");
  EXPECT_EQ(Glob::escape("b (1)[x]"), "b (1)\\[x\\]");
  EXPECT_FALSE(Glob(Glob::escape("a[1].nii")).matches("a1.nii"));
  EXPECT_FALSE(Glob(Glob::escape("x*y?z")).matches("xAAyBz"));
  EXPECT_TRUE(Glob::has_wildcards("a/*.nii"));
  EXPECT_TRUE(Glob::has_wildcards("a{b,c}"));
  EXPECT_TRUE(Glob::has_wildcards("a\\(b"));
  EXPECT_FALSE(Glob::has_wildcards("a/b (1).nii"));
}

TEST(GlobTest, ResolveDotsNormalizesTemplatePaths) {
  const Glob::Options resolve{true};
  EXPECT_TRUE(
      Glob("train/labels/../images/x_0000.nii.gz", resolve).matches("train/images/x_0000.nii.gz"));
  EXPECT_TRUE(Glob("./x_seg*.png", resolve).matches("x_seg.png"));
  EXPECT_TRUE(Glob("a//b/./c", resolve).matches("a/b/c"));
  EXPECT_TRUE(Glob("a/{b,c}/../d", resolve).matches("a/d"));
  try {
    Glob("a/../../x", resolve);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("above the input folder"));
  }
  // An alternative that climbs above the root names no file; the others still match (CT-ORG's
  // "{dir}{,/../labels}/labels-N" for a volume at the top of the input).
  const Glob either("./{,../labels/}labels-0.nii.gz", resolve);
  EXPECT_TRUE(either.matches("labels-0.nii.gz"));
  EXPECT_FALSE(either.matches("labels/labels-0.nii.gz"));
  EXPECT_THROW(Glob("./{../a,../b}/x", resolve), ConfigError);
  // Without the option these stay errors, as for `cases`.
  EXPECT_THAT(error_of("train/labels/../images/x.nii"), HasSubstr("\"..\""));
}

TEST_F(GlobTreeTest, BraceAlternativesFindEachFileOnce) {
  EXPECT_THAT(Glob("{a,b}/x.nii").find(dir.path()), ElementsAre("a/x.nii", "b/x.nii"));
  // Overlapping alternatives: a file matched by both is listed once, in byte order.
  EXPECT_THAT(Glob("{a/*,*/x}.nii").find(dir.path()),
              ElementsAre("B/x.nii", "a-b/x.nii", "a.b/x.nii", "a/x.nii", "a/y.nii", "a_b/x.nii",
                          "b/x.nii"));
  EXPECT_THAT(Glob("{top,a/sub/z}.nii").find(dir.path()), ElementsAre("a/sub/z.nii", "top.nii"));
}

}  // namespace
}  // namespace samed2d
