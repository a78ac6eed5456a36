// DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
// guarantees", VLDB 2019): values fall into logarithmic buckets of ratio γ = (1 + α) / (1 − α), so every
// quantile it returns is within a relative α of the true quantile (of the values at that rank). Buckets are
// counts, so adding values in any order, on any thread, and merging sketches from shards give the very same
// sketch: the error bound holds after merges and the result is byte-identical whatever the order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace linkcap::sweep {

class DDSketch {
 public:
  DDSketch() = default;
  explicit DDSketch(double alpha) { set_alpha(alpha); }

  void set_alpha(double alpha) {
    alpha_ = alpha;
    gamma_ = (1 + alpha) / (1 - alpha);
    inverseLogGamma_ = 1 / std::log(gamma_);
  }

  void add(double x) {
    if (std::isnan(x)) return;
    count_ += 1;
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
    if (x > kMinIndexable) {
      positive_.add(key(x));
    } else if (x < -kMinIndexable) {
      negative_.add(key(-x));
    } else {
      zeros_ += 1;
    }
  }

  void merge(const DDSketch& other) {
    if (other.count_ == 0) return;
    count_ += other.count_;
    zeros_ += other.zeros_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    positive_.merge(other.positive_);
    negative_.merge(other.negative_);
  }

  std::uint64_t count() const { return count_; }
  double min() const { return count_ ? min_ : std::numeric_limits<double>::quiet_NaN(); }
  double max() const { return count_ ? max_ : std::numeric_limits<double>::quiet_NaN(); }
  double alpha() const { return alpha_; }

  // The value at rank q·(count − 1) (lower rank), within a relative α; exact at q = 0 and q = 1.
  double quantile(double q) const {
    if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
    if (q <= 0) return min_;
    if (q >= 1) return max_;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
    std::uint64_t seen = 0;
    // Negative values, most negative first: the negative store walked from its largest key down.
    for (std::size_t i = negative_.counts.size(); i-- > 0;) {
      seen += negative_.counts[i];
      if (seen > rank) return clamp(-value(negative_.offset + static_cast<std::int64_t>(i)));
    }
    seen += zeros_;
    if (seen > rank) return clamp(0);
    for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
      seen += positive_.counts[i];
      if (seen > rank) return clamp(value(positive_.offset + static_cast<std::int64_t>(i)));
    }
    return max_;
  }

  // Serialized form: alpha, count, zeros, min, max, then each store (offset, length, counts).
  template <class Writer>
  void write(Writer& w) const {
    w.f64(alpha_);
    w.u64(count_);
    w.u64(zeros_);
    w.f64(min_);
    w.f64(max_);
    positive_.write(w);
    negative_.write(w);
  }
  template <class Reader>
  void read(Reader& r) {
    set_alpha(r.f64());
    count_ = r.u64();
    zeros_ = r.u64();
    min_ = r.f64();
    max_ = r.f64();
    positive_.read(r);
    negative_.read(r);
  }

 private:
  // Smallest magnitude given a bucket of its own; smaller values count as zeros (1e-300 s is not a time).
  static constexpr double kMinIndexable = 1e-300;

  struct Store {
    std::int64_t offset = 0;
    std::vector<std::uint64_t> counts;

    void add(std::int64_t k, std::uint64_t n = 1) {
      if (counts.empty()) {
        offset = k;
        counts.assign(1, 0);
      } else if (k < offset) {
        counts.insert(counts.begin(), static_cast<std::size_t>(offset - k), 0);
        offset = k;
      } else if (k >= offset + static_cast<std::int64_t>(counts.size())) {
        counts.resize(static_cast<std::size_t>(k - offset + 1), 0);
      }
      counts[static_cast<std::size_t>(k - offset)] += n;
    }
    void merge(const Store& other) {
      for (std::size_t i = 0; i < other.counts.size(); ++i) {
        if (other.counts[i] != 0) add(other.offset + static_cast<std::int64_t>(i), other.counts[i]);
      }
    }
    template <class Writer>
    void write(Writer& w) const {
      w.i64(offset);
      w.u64(counts.size());
      for (std::uint64_t c : counts) w.u64(c);
    }
    template <class Reader>
    void read(Reader& r) {
      offset = r.i64();
      const std::uint64_t n = r.length(8);
      counts.resize(static_cast<std::size_t>(n));
      for (auto& c : counts) c = r.u64();
    }
  };

  std::int64_t key(double magnitude) const {
    return static_cast<std::int64_t>(std::ceil(std::log(magnitude) * inverseLogGamma_));
  }
  // The bucket's representative: 2γ^k / (γ + 1), within α of every value in (γ^(k−1), γ^k].
  double value(std::int64_t k) const { return 2 * std::pow(gamma_, static_cast<double>(k)) / (gamma_ + 1); }
  double clamp(double v) const { return std::min(max_, std::max(min_, v)); }

  double alpha_ = 0.01;
  double gamma_ = 1.01 / 0.99;
  double inverseLogGamma_ = 1 / std::log(1.01 / 0.99);
  std::uint64_t count_ = 0;
  std::uint64_t zeros_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  Store positive_;
  Store negative_;
};

}  // namespace linkcap::sweep
