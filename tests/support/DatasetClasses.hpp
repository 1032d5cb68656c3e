#pragma once
// The label codes of public datasets as reference/datasets.md gives them (class name -> label
// values), stated once for the tests that plant those datasets.

#include <cstddef>
#include <string>
#include <vector>

#include "support/PlantedCase.hpp"

namespace samed2d::test {

// Classes whose label values are their positions in `names`, from 1: the common layout of a
// dataset that codes each structure by one value.
inline ClassValues numbered_classes(const std::vector<std::string>& names) {
  ClassValues classes;
  for (std::size_t n = 0; n < names.size(); ++n)
    classes.push_back({names[n], {static_cast<long long>(n + 1)}});
  return classes;
}

// ACDC: 1 right ventricle, 2 myocardium, 3 left ventricle; the cavities are 1 and 3.
inline const ClassValues kAcdcClasses{{"right_ventricle", {1}},
                                      {"myocardium", {2}},
                                      {"left_ventricle", {3}},
                                      {"ventricular_cavities", {1, 3}}};

// BraTS 2017-2021: NCR/NET 1, edema 2, enhancing tumour 4, and the regions built from them.
inline const ClassValues kBratsClasses{{"non_enhancing_tumor_core", {1}},
                                       {"peritumoral_edema", {2}},
                                       {"enhancing_tumor", {4}},
                                       {"tumor_core", {1, 4}},
                                       {"whole_tumor", {1, 2, 4}}};

// MSD Task01_BrainTumour: 1 edema, 2 non-enhancing tumour, 3 enhancing tumour (not BraTS's
// codes).
inline const ClassValues kBrainTumourClasses{{"peritumoral_edema", {1}},
                                             {"non_enhancing_tumor_core", {2}},
                                             {"enhancing_tumor", {3}},
                                             {"tumor_core", {2, 3}},
                                             {"whole_tumor", {1, 2, 3}}};

// KiTS19: no cyst, so "kidney and masses" is kidney + tumour.
inline const ClassValues kKits19Classes{
    {"kidney", {1}}, {"kidney_tumor", {2}}, {"kidney_and_masses", {1, 2}}};

// AMOS 2022: the 15 abdominal organs, CT and MR alike, values 1 to 15.
inline const ClassValues kAmos2022Classes =
    numbered_classes({"spleen", "right_kidney", "left_kidney", "gallbladder", "esophagus", "liver",
                      "stomach", "aorta", "inferior_vena_cava", "pancreas", "right_adrenal_gland",
                      "left_adrenal_gland", "duodenum", "urinary_bladder", "prostate_or_uterus"});

// MM-WHS 2017: the seven heart structures by their 16-bit codes.
inline const ClassValues kMmwhsClasses{{"myocardium", {205}},      {"left_atrium", {420}},
                                       {"left_ventricle", {500}},  {"right_atrium", {550}},
                                       {"right_ventricle", {600}}, {"ascending_aorta", {820}},
                                       {"pulmonary_artery", {850}}};

// HVSMR 2016: 1 myocardium, 2 blood pool.
inline const ClassValues kHvsmrClasses{{"myocardium", {1}}, {"blood_pool", {2}}};

// crossMoDA 2021 and 2022: 1 vestibular schwannoma, 2 cochlea.
inline const ClassValues kCrossModaClasses{{"vestibular_schwannoma", {1}}, {"cochlea", {2}}};

}  // namespace samed2d::test
