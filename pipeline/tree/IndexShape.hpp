#pragma once
// The shape of SAMed2D_v1.json (SPEC section 6: an object of image path -> list of mask paths)
// as SAX events, for the two readers that stream it: TreeIndex (export, stats, report), which
// stops at the first fault, and `samed2d validate`, which reports it and checks what came before.
// The shape is checked here once; what a key or a mask path means, and the words of an error, are
// the reader's own.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

namespace samed2d {

class IndexShapeSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return wrong("null"); }
  bool boolean(bool) override { return wrong("a boolean"); }
  bool number_integer(number_integer_t) override { return wrong("a number"); }
  bool number_unsigned(number_unsigned_t) override { return wrong("a number"); }
  bool number_float(number_float_t, const string_t&) override { return wrong("a number"); }
  bool binary(binary_t&) override { return wrong("binary data"); }
  bool start_object(std::size_t) override { return enter(0, "an object"); }
  bool end_object() override { return leave(); }
  bool start_array(std::size_t) override { return enter(1, "a list"); }
  bool end_array() override { return leave(); }
  // Keys only come from the one object the shape allows, so every key is an image path.
  bool key(string_t& k) override { return image(k); }
  bool string(string_t& s) override { return depth_ == 2 ? mask(s) : wrong("a string"); }

 protected:
  // An image path (a key), then each path of its mask list; false stops the parse.
  virtual bool image(string_t& key) = 0;
  virtual bool mask(string_t& path) = 0;
  // `what` ("a number", "a list", ...) stands where the shape has no place for it: records the
  // fault and returns false.
  virtual bool wrong(std::string_view what) = 0;
  // 0 at the top, 1 inside the object, 2 inside a mask list.
  int depth() const { return depth_; }

 private:
  bool enter(int expected_depth, std::string_view what) {
    if (depth_ != expected_depth) return wrong(what);
    ++depth_;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }
  int depth_ = 0;
};

}  // namespace samed2d
