// DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
// guarantees", VLDB 2019): values fall into buckets no wider than a ratio γ = (1 + α) / (1 − α), and each bucket
// answers with the value 2ab / (a + b) of its bounds a, b, so every quantile it returns is within a relative α of
// the true value at that rank. Buckets are counts, so adding values in any order, on any thread, and merging
// sketches from shards give the very same sketch: the error bound holds after merges and the result is
// byte-identical whatever the order.
//
// Index mapping: the paper's "linearly interpolated" one. A double x = 2^e (1 + f) maps to the piecewise-linear
// log2 approximation L(x) = e + f, read off its bits (no log call: the hot path of a quantile reduction), and to
// bucket ⌈L(x) · m⌉. Since dL / d(log2 x) = (1 + f) ln 2 ≥ ln 2, a bucket 1/m wide in L is at most 1 / (m ln 2)
// wide in log2; m = 1 / ln γ makes that ≤ log2 γ, so bucket bounds are within a ratio γ, as required. It uses up to
// 1 / ln 2 ≈ 1.44 times the buckets of the exact logarithmic mapping.
#pragma once

#include <algorithm>
#include <bit>
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
      // The common case first: a bucket inside the range already held.
      const auto i = static_cast<std::uint64_t>(k - offset);
      if (i < counts.size()) [[likely]] {
        counts[i] += n;
        return;
      }
      grow(k, n);
    }
    [[gnu::noinline]] void grow(std::int64_t k, std::uint64_t n) {
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

  // L(x) = e + f for x = 2^e (1 + f), exactly (x is a normal double: callers pass magnitudes > 1e-300).
  static double approximate_log2(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto exponent = static_cast<std::int64_t>((bits >> 52) & 0x7FF) - 1023;
    const double fraction = static_cast<double>(bits & 0xFFFFFFFFFFFFFull) * 0x1p-52;
    return static_cast<double>(exponent) + fraction;
  }
  // The inverse of approximate_log2.
  static double from_approximate_log2(double l) {
    const double exponent = std::floor(l);
    return std::ldexp(1 + (l - exponent), static_cast<int>(exponent));
  }
  // ⌈L(x) · m⌉; the ceiling by truncation (std::ceil is a library call without SSE4.1), the same integer for the
  // magnitudes of L(x) · m here (|·| < 2^31).
  std::int64_t key(double magnitude) const {
    const double x = approximate_log2(magnitude) * inverseLogGamma_;
    const auto t = static_cast<std::int64_t>(x);
    return static_cast<double>(t) < x ? t + 1 : t;
  }
  // The bucket's representative: 2ab / (a + b) for its bounds a < x ≤ b, within α of every value in it.
  double value(std::int64_t k) const {
    const double a = from_approximate_log2(static_cast<double>(k - 1) / inverseLogGamma_);
    const double b = from_approximate_log2(static_cast<double>(k) / inverseLogGamma_);
    return 2 * a * b / (a + b);
  }
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
