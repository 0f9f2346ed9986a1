// dJ_soft/dr(s,a) = d*(s,a) and dJ_soft/dw = Phi^T d*, against central finite differences of
// J_soft = sum_s p0(s) V*_soft(s) computed by separate tight solves of perturbed models.
#include <doctest/doctest.h>

#include "occupancy_models.hpp"
#include "softmdp/analysis/reward_gradient.hpp"
#include "softmdp/core/errors.hpp"
#include "softmdp/solvers/bellman.hpp"
#include "softmdp/solvers/solve.hpp"

using namespace softmdp;

namespace {

double j_soft(ModelData d, double alpha) {
    const Model m(std::move(d));
    SolverOptions o;
    o.tolerance = 1e-13;
    return objective(m, solve(m, "soft-pi", alpha, o).values);
}

}  // namespace

TEST_CASE("reward gradient: dJ_soft/dr(s,a) matches central finite differences at 1e-6 relative") {
    for (const char* file : {"chain2.json", "frozenlake4x4.json", "riverswim.json"}) {
        const Model m = test::example(file);
        const double alpha = 0.5, h = 1e-4;
        SolverOptions o;
        o.tolerance = 1e-12;
        const RewardGradient g = soft_reward_gradient(m, alpha, o);
        REQUIRE(g.error_bound);
        CHECK(*g.error_bound < 1e-6);  // (1 - gamma)^-2 times the solve's 1e-12
        for (Offset r = 0; r < m.num_rows(); r += std::max<Offset>(1, m.num_rows() / 7)) {
            const std::string name = file;
            CAPTURE(name);
            CAPTURE(r);
            ModelData up = m.data(), down = m.data();
            up.row_reward[r] += h;
            down.row_reward[r] -= h;
            up.next_reward.clear();
            down.next_reward.clear();
            const double fd = (j_soft(up, alpha) - j_soft(down, alpha)) / (2.0 * h);
            CHECK(std::abs(fd - g.gradient[r]) <= 1e-6 * std::max(1e-3, std::abs(g.gradient[r])));
        }
    }
}

TEST_CASE("reward gradient: dJ_soft/dw = Phi^T d* for linear rewards, against finite differences in w") {
    const std::vector<double> w{1.0, -1.0, 0.3, -0.2};
    const auto grid = test::feature_grid(4, 5, 0.9, w);
    const double alpha = 0.4, h = 1e-4;
    SolverOptions o;
    o.tolerance = 1e-12;
    const auto gw = weight_gradient(grid.model, grid.features, soft_reward_gradient(grid.model, alpha, o));
    for (std::size_t k = 0; k < w.size(); ++k) {
        CAPTURE(k);
        auto wu = w, wd = w;
        wu[k] += h;
        wd[k] -= h;
        ModelData up = grid.model.data(), down = grid.model.data();
        up.row_reward = grid.features.reward(grid.model, wu);
        down.row_reward = grid.features.reward(grid.model, wd);
        const double fd = (j_soft(up, alpha) - j_soft(down, alpha)) / (2.0 * h);
        CHECK(std::abs(fd - gw[k]) <= 1e-6 * std::abs(gw[k]));
    }
    CHECK_THROWS_AS(soft_reward_gradient(grid.model, 0.0), UsageError);
}
