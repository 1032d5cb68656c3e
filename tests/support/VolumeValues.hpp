#pragma once
// Small helpers shared by the reader tests: a volume's elements as a vector, and test ramps.

#include <cstddef>
#include <vector>

#include "pipeline/core/Volume.hpp"

namespace samed2d::test {

// Every element of a volume of voxel type T, in memory order.
template <class T>
std::vector<T> values_of(const Volume& v) {
  const T* p = v.data<T>();
  return {p, p + v.element_count()};
}

// n values start, start + step, ... converted to T.
template <class T>
std::vector<T> ramp(std::size_t n, double start, double step) {
  std::vector<T> out(n);
  for (std::size_t e = 0; e < n; ++e)
    out[e] = static_cast<T>(start + step * static_cast<double>(e));
  return out;
}

}  // namespace samed2d::test
