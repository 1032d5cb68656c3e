#include <gtest/gtest.h>
#include <itkMacro.h>

#include "pipeline/core/Text.hpp"

namespace samed2d {
namespace {

TEST(TextTest, OneLineFoldsLineBreaksButKeepsSpacesOfNames) {
  EXPECT_EQ(one_line("  a\n\tb\r\n c\r\n"), "a b c");
  EXPECT_EQ(one_line(""), "");
  EXPECT_EQ(one_line(" \n "), "");
  // autoPET study folders hold double spaces: the path in a message must stay copyable.
  EXPECT_EQ(one_line("PET-CT Ganzkoerper  primaer mit KM-10445/SEG.nii.gz: bad\n  header"),
            "PET-CT Ganzkoerper  primaer mit KM-10445/SEG.nii.gz: bad header");
}

TEST(TextTest, ItkTextDropsObjectAddressesSoMessagesRepeat) {
  itk::ExceptionObject e("file.cxx", 12,
                         "NrrdImageIO(0x558061f814d0): bad\nheader (0xZZ) kept (0x) kept", "loc");
  EXPECT_EQ(itk_text(e), "NrrdImageIO: bad header (0xZZ) kept (0x) kept");
}

TEST(TextTest, PrintableEscapesControlCharactersAndKeepsTheRest) {
  EXPECT_EQ(printable("bad\nname.nii.gz"), "bad\\nname.nii.gz");
  EXPECT_EQ(printable("esc\x1b[31mred"), "esc\\x1b[31mred");
  EXPECT_EQ(printable("a\tb\rc\x7f"), "a\\tb\\rc\\x7f");
  EXPECT_EQ(printable("caf\xC3\xA9  two  spaces/ok"), "caf\xC3\xA9  two  spaces/ok");
}

}  // namespace
}  // namespace samed2d
