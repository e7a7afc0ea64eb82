"""``gto plan``: a thin layer over stats.minimum_detectable_effect and stats.sample_size."""

from __future__ import annotations

from click.testing import CliRunner

from getting_to_outcomes import stats
from getting_to_outcomes.cli import main


def _plan(*args: str):
    return CliRunner().invoke(main, ["plan", *args])


def test_plan_prints_the_minimum_detectable_effect_of_the_library():
    result = _plan("--design", "clustered", "--clusters", "20", "--cluster-size", "15",
                   "--icc", "0.1")
    assert result.exit_code == 0, result.output
    row = stats.minimum_detectable_effect(design="clustered", n_clusters=20, cluster_size=15,
                                          icc=0.1).iloc[0]
    assert f"Minimum detectable effect: {row.mde:.3f} sd (d)" in result.output
    assert "Grantees: 20 of 15 people (300 people); ICC 0.1" in result.output


def test_plan_with_an_effect_prints_the_sample_to_recruit():
    result = _plan("--effect", "0.5", "--attrition", "0.2")
    assert result.exit_code == 0, result.output
    assert "Pairs: 34" in result.output
    assert "To detect 0.5: recruit 43 pairs (allowing for 20% attrition)" in result.output


def test_plan_without_a_sample_or_an_effect_is_a_usage_error():
    result = _plan("--design", "independent")
    assert result.exit_code == 2
    assert "give the sample" in result.output
    result = _plan("--design", "clustered", "--clusters", "12")
    assert result.exit_code == 2
    assert "--cluster-size and --icc" in result.output
    result = _plan("--n", "40", "--effect", "0.3")
    assert result.exit_code == 2
