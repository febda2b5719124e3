"""`python -m experiments report`: the table, --json, --plot and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.__main__ import main
from experiments.plot import title, write_plot
from experiments.report import Report, build_report, load_outcomes
from tests.unit.experiments.conftest import EXPERIMENT, HOLDOUT, PERSONALIZED, RANKING

pytestmark = pytest.mark.unit

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_table_is_the_default(outcomes_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--local", str(outcomes_folder)]) == 0
    out = capsys.readouterr().out
    assert f"{EXPERIMENT}: holdout {HOLDOUT}, last 30 days" in out
    assert f"{RANKING}: holdout a, last 30 days" in out
    assert "two-proportion z-test" in out


def test_json_has_stable_keys_and_exact_numbers(
    outcomes_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--local", str(outcomes_folder), "--json", "--experiment", EXPERIMENT]) == 0
    answer = json.loads(capsys.readouterr().out)

    assert answer["lookback_days"] == 30
    (experiment,) = answer["experiments"]
    assert list(experiment) == ["experiment", "holdout", "note", "variants"]
    assert (experiment["experiment"], experiment["holdout"], experiment["note"]) == (
        EXPERIMENT,
        HOLDOUT,
        None,
    )
    holdout, personalized = experiment["variants"]
    assert list(personalized) == [
        "variant",
        "source",
        "is_holdout",
        "exposures",
        "shown_events",
        "fallback_exposures",
        "clicked_exposures",
        "click_events",
        "added_exposures",
        "add_events",
        "ordered_exposures",
        "order_events",
        "ctr",
        "conversion",
    ]
    assert {key: personalized[key] for key in list(personalized)[:12]} == {
        "variant": PERSONALIZED,
        "source": "personalize",
        "is_holdout": False,
        "exposures": 4,
        "shown_events": 5,
        "fallback_exposures": 1,
        "clicked_exposures": 2,
        "click_events": 3,
        "added_exposures": 1,
        "add_events": 1,
        "ordered_exposures": 1,
        "order_events": 1,
    }
    assert list(personalized["ctr"]) == ["rate", "low", "high", "lift", "p_value"]
    assert personalized["ctr"]["rate"] == 0.5
    assert personalized["ctr"]["lift"] == pytest.approx(0.5)
    assert personalized["conversion"]["rate"] == 0.25
    assert holdout["is_holdout"] is True
    assert holdout["ctr"]["lift"] is None


def test_plot_writes_a_png(outcomes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plots" / "report.png"
    assert main(["report", "--local", str(outcomes_folder), "--plot", str(path)]) == 0
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert str(path) in capsys.readouterr().err


def test_the_plot_titles_carry_lift_and_p_value(outcomes_folder: Path) -> None:
    experiment = build_report(load_outcomes(data_dir=outcomes_folder)).experiment(EXPERIMENT)
    ctr_title = title(experiment, "CTR")
    assert f"{PERSONALIZED} vs {HOLDOUT}: lift +50.0%, p=0." in ctr_title
    with pytest.raises(ValueError, match="nothing to plot"):
        write_plot(Report(()), Path("unused.png"))


def test_exit_codes(outcomes_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"  # outcomes_folder is tmp_path itself
    empty.mkdir()
    assert main(["report", "--local", str(empty)]) == 1  # no analytics files
    assert "no analytics files" in capsys.readouterr().err
    assert main(["report", "--local", str(outcomes_folder), "--experiment", "no-such"]) == 1
    assert "no exposures of experiment no-such" in capsys.readouterr().err
    assert main(["report", "--local", str(outcomes_folder), "--holdout", "nope"]) == 2
    assert main(["report", "--local", str(outcomes_folder), "--days", "0"]) == 2
    assert main(["report", "--local", str(outcomes_folder), "--plot", "report.svg"]) == 2
    assert main(["report", "--workgroup", "not-ours"]) == 2
    assert "--database" in capsys.readouterr().err
    assert main(["report", "--database", "db"]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--local", str(outcomes_folder), "--workgroup", "w"])
    assert exit_.value.code == 2
