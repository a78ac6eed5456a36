// The `where:` constraints of a sweep, compiled by packages/core/src/sweep/expression.ts into reverse Polish
// notation over numbers (a string axis compares by dictionary code). Truth is "non-zero"; comparisons give
// 1 or 0; a NaN result (0/0) counts as false, so a point the expression cannot judge is left out.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "sweep_plan.hpp"

namespace linkcap::sweep {

// Checks operands, references and stack depth once, so run_filter never reads past its stack.
// Row fields a filter may read: the widths of the workload, chip and cluster rows (0: not available).
struct FilterRowWidths {
  std::size_t workload = 0, chip = 0, cluster = 0;
};

inline void validate_filter(const std::vector<FilterInstruction>& program, std::size_t axes, std::size_t layout_fields,
                            bool training, const FilterRowWidths& rows = {}) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < program.size(); ++i) {
    const FilterInstruction& in = program[i];
    const std::string where = "filter[" + std::to_string(i) + "]";
    const auto op = static_cast<int>(in.op);
    if (op < 0 || op >= kFilterOpCount) throw std::invalid_argument(where + ": unknown instruction");
    const auto field_of = [&](std::size_t width, const char* what) {
      if (!(in.arg >= 0 && in.arg < static_cast<double>(width) && std::floor(in.arg) == in.arg)) {
        throw std::invalid_argument(where + ": no such " + what + " field");
      }
      depth += 1;
    };
    switch (in.op) {
      case FilterOp::Const:
        depth += 1;
        break;
      case FilterOp::Axis:
        if (!(in.arg >= 0 && in.arg < static_cast<double>(axes))) throw std::invalid_argument(where + ": no such axis");
        depth += 1;
        break;
      case FilterOp::LayoutField:
        if (!training || !(in.arg >= 0 && in.arg < static_cast<double>(layout_fields))) {
          throw std::invalid_argument(where + ": no such layout field");
        }
        depth += 1;
        break;
      case FilterOp::WorkloadField: field_of(rows.workload, "model"); break;
      case FilterOp::ChipField: field_of(rows.chip, "chip"); break;
      case FilterOp::ClusterField: field_of(rows.cluster, "cluster"); break;
      case FilterOp::Neg:
      case FilterOp::Not:
        if (depth < 1) throw std::invalid_argument(where + ": stack underflow");
        break;
      default:
        if (depth < 2) throw std::invalid_argument(where + ": stack underflow");
        depth -= 1;
    }
    if (depth > kMaxFilterStack) throw std::invalid_argument("filter: deeper than " + std::to_string(kMaxFilterStack));
  }
  if (!program.empty() && depth != 1) throw std::invalid_argument("filter: must leave exactly one value");
}

// Runs a validated program; load(op, arg) supplies the values of Axis, LayoutField and the row fields.
template <class Load>
inline bool run_filter(const std::vector<FilterInstruction>& program, Load&& load) {
  double stack[kMaxFilterStack];
  std::size_t top = 0;
  for (const FilterInstruction& in : program) {
    switch (in.op) {
      case FilterOp::Const: stack[top++] = in.arg; break;
      case FilterOp::Axis:
      case FilterOp::LayoutField:
      case FilterOp::WorkloadField:
      case FilterOp::ChipField:
      case FilterOp::ClusterField: stack[top++] = load(in.op, in.arg); break;
      case FilterOp::Neg: stack[top - 1] = -stack[top - 1]; break;
      case FilterOp::Not: stack[top - 1] = stack[top - 1] == 0 ? 1 : 0; break;
      default: {
        const double b = stack[--top];
        const double a = stack[top - 1];
        double r;
        switch (in.op) {
          case FilterOp::Add: r = a + b; break;
          case FilterOp::Sub: r = a - b; break;
          case FilterOp::Mul: r = a * b; break;
          case FilterOp::Div: r = a / b; break;
          case FilterOp::Mod: r = std::fmod(a, b); break;
          case FilterOp::Lt: r = a < b; break;
          case FilterOp::Le: r = a <= b; break;
          case FilterOp::Gt: r = a > b; break;
          case FilterOp::Ge: r = a >= b; break;
          case FilterOp::Eq: r = a == b; break;
          case FilterOp::Ne: r = a != b; break;
          case FilterOp::And: r = (a != 0 && !std::isnan(a)) && (b != 0 && !std::isnan(b)); break;
          case FilterOp::Or: r = (a != 0 && !std::isnan(a)) || (b != 0 && !std::isnan(b)); break;
          default: r = 0;
        }
        stack[top - 1] = r;
      }
    }
  }
  const double v = stack[0];
  return v != 0 && !std::isnan(v);
}

}  // namespace linkcap::sweep
