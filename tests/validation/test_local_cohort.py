"""Validation on a local cohort: metrics against scikit-learn and dcurves' recorded output,
verdicts against recommend, the too-small rule, honesty about learned networks, the CLI."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
    top_k_accuracy_score,
)

import bayesdx
from bayesdx.cli import main
from bayesdx.errors import CaseFileError, PolicyError, RowError
from bayesdx.learning import cross_validate, learn
from bayesdx.validation import (
    MIN_EVENTS,
    calibration_intercept,
    calibration_slope,
    simulate,
    validate_cohort,
    write_cohort_report,
)
from bayesdx.validation._local import _metrics

from helpers import DATA

FINDINGS = ["age", "sex", "hb", "cytopenia", "monocytosis", "blasts", "m_protein", "calcium",
            "renal", "ldh", "chemical_shift"]  # fmt: skip


@pytest.fixture(scope="module")
def cohort(marrow):
    frame = simulate(marrow, 700, np.random.default_rng(41))
    return frame[[*FINDINGS, "diagnosis"]].rename(columns={"diagnosis": "biopsy"})


@pytest.fixture(scope="module")
def result(marrow, cohort):
    return validate_cohort(marrow, cohort, "biopsy", bootstrap=200, seed=3)


def _logit(p):
    q = np.clip(p, 1e-10, 1 - 1e-10)
    return np.log(q / (1 - q))


# ---------------------------------------------------------------- metrics vs scikit-learn
def test_discrimination_and_brier_match_sklearn(result, marrow, cohort):
    y, p = result.y, result.p
    assert result.estimates["auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert result.estimates["brier"] == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    states = marrow.states["diagnosis"]
    truth = np.array([states.index(s) for s in cohort["biopsy"]])
    post = bayesdx.score_frame(marrow, cohort.drop(columns="biopsy"))
    post = post[[f"diagnosis={s}" for s in states]].to_numpy()
    labels = list(range(len(states)))
    for k in (1, 3):
        theirs = top_k_accuracy_score(truth, post, k=k, labels=labels)
        assert result.estimates[f"top{k}"] == pytest.approx(theirs, abs=1e-12)


def test_calibration_slope_matches_sklearn_logistic_regression(rng):
    p = rng.uniform(0.02, 0.98, 3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(0.3 + 0.7 * _logit(p))))).astype(int)
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
    fit.fit(_logit(p)[:, None], y)
    assert calibration_slope(y, p) == pytest.approx(fit.coef_[0, 0], abs=1e-5)
    # the slope recovers the miscalibration the data were drawn with
    assert calibration_slope(y, p) == pytest.approx(0.7, abs=0.1)


def test_calibration_intercept_is_the_offset_logistic_fit(rng):
    p = rng.uniform(0.02, 0.98, 3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(-0.5 + _logit(p))))).astype(int)

    def nll(a):
        eta = a + _logit(p)
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    ref = minimize_scalar(nll, bounds=(-5, 5), method="bounded", options={"xatol": 1e-10}).x
    assert calibration_intercept(y, p) == pytest.approx(ref, abs=1e-6)
    assert calibration_intercept(y, p) == pytest.approx(-0.5, abs=0.15)


def test_one_class_has_no_calibration_fit():
    assert np.isnan(calibration_slope(np.ones(5), np.full(5, 0.3)))
    assert np.isnan(calibration_intercept(np.zeros(5), np.full(5, 0.3)))


def test_sensitivity_and_specificity_match_the_confusion_matrix(result):
    rules = {
        "recommended": ["recommended"],
        "not refused": ["recommended", "borderline", "consider"],
    }
    for rule, positive in rules.items():
        pred = np.isin(result.verdict, positive).astype(int)
        tn, fp, fn, tp = confusion_matrix(result.y, pred, labels=[0, 1]).ravel()
        assert result.estimates[f"sensitivity: {rule}"] == pytest.approx(tp / (tp + fn))
        assert result.estimates[f"specificity: {rule}"] == pytest.approx(tn / (tn + fp))


def test_net_benefit_equals_dcurves():
    # the inputs dcurves was run on (tests/data/dcurves_net_benefit.json, see test_metrics)
    ref = json.loads((DATA / "dcurves_net_benefit.json").read_text())
    y, p = np.array(ref["inputs"]["y"]), np.array(ref["inputs"]["p"])
    thresholds = np.array(ref["thresholds"])
    ours = _metrics(y, p, np.full(len(y), "recommended"), None, thresholds)["net_benefit"]
    np.testing.assert_allclose(ours, ref["net_benefit"]["p"], rtol=0, atol=1e-12)


# ---------------------------------------------------------------- what is scored, and how
def test_outcome_is_never_evidence_and_verdicts_are_recommends(marrow, cohort, result):
    alone = bayesdx.score_frame(marrow, cohort.drop(columns="biopsy"))["group:neoplasm"]
    np.testing.assert_allclose(result.p, alone.to_numpy(), atol=1e-12)
    for i in range(0, 700, 97):
        case = {k: v for k, v in cohort.drop(columns="biopsy").iloc[i].items() if v != ""}
        assert result.verdict[i] == bayesdx.recommend(marrow, case, draws=0).verdict


def test_bootstrap_is_seeded_and_brackets_the_estimate(marrow, cohort, result):
    again = validate_cohort(marrow, cohort, "biopsy", bootstrap=200, seed=3)
    other = validate_cohort(marrow, cohort, "biopsy", bootstrap=200, seed=4)
    assert again.intervals == result.intervals
    assert other.intervals["auc"] != result.intervals["auc"]
    for key in ("auc", "brier", "top1", "calibration_slope"):
        lo, hi = result.intervals[key]
        assert lo < result.estimates[key] < hi, key
    assert (result.net_benefit_interval[0] <= result.net_benefit_interval[1]).all()


def test_too_small_rule(marrow, cohort):
    counts = {"enough": (MIN_EVENTS, MIN_EVENTS), "few events": (MIN_EVENTS - 1, 300),
              "few non-events": (300, MIN_EVENTS - 1)}  # fmt: skip
    sick = cohort["biopsy"].isin(marrow.groups["neoplasm"][1])
    for name, (events, others) in counts.items():
        if events > sick.sum():
            continue
        frame = pd.concat([cohort[sick].iloc[:events], cohort[~sick].iloc[:others]])
        res = validate_cohort(marrow, frame, "biopsy", bootstrap=0)
        assert res.too_small == (name != "enough"), name
        assert ("Too small for a conclusion" in str(res)) == res.too_small
    assert validate_cohort(marrow, cohort.iloc[:50], "biopsy", bootstrap=0).to_dict()["too_small"]


def test_group_outcome_and_unknown_rows(marrow, cohort):
    sick = cohort["biopsy"].isin(marrow.groups["neoplasm"][1]).astype(int).astype(str)
    frame = cohort.drop(columns="biopsy").assign(neoplasm=sick)
    frame.loc[frame.index[:10], "neoplasm"] = ""
    res = validate_cohort(marrow, frame, "neoplasm", bootstrap=0)
    assert res.kind == "group" and res.unknown == 10 and res.n == 690
    assert "top1" not in res.estimates
    full = validate_cohort(marrow, cohort, "biopsy", bootstrap=0)
    np.testing.assert_array_equal(res.y, full.y[10:])


def test_bad_cohorts(marrow, tiny, cohort, tmp_path):
    with pytest.raises(CaseFileError, match="no outcome column 'dx'"):
        validate_cohort(marrow, cohort, "dx")
    with pytest.raises(RowError, match="outcome 'flu'"):
        validate_cohort(marrow, pd.DataFrame({"hb": ["10"], "dx": ["flu"]}), "dx")
    with pytest.raises(RowError, match="unknown state 'lots'"):
        validate_cohort(marrow, pd.DataFrame({"m_protein": ["lots"], "dx": ["1"]}), "dx")
    with pytest.raises(CaseFileError, match="would give the network the answer"):
        validate_cohort(marrow, cohort.assign(diagnosis=cohort["biopsy"]), "biopsy")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CaseFileError, match="is empty"):
        validate_cohort(marrow, empty, "dx")
    doc = bayesdx.load_network(DATA / "tiny.yaml")
    assert doc.spec.decision is not None  # tiny has one; a network without one is refused
    bif = tmp_path / "tiny.bif"
    bayesdx.io.write_model(tiny, str(bif), "bif")
    with pytest.raises(PolicyError, match="no decision section"):
        validate_cohort(bayesdx.load_network(bif), pd.DataFrame({"test": ["pos"]}), "test")


# ---------------------------------------------------------------- honesty: learned networks
def test_cross_validation_scores_each_patient_without_them(marrow, cohort):
    data = cohort.iloc[:90]
    cv = cross_validate(marrow, data, "biopsy", folds=3, seed=1)
    assert sorted(np.bincount(cv["fold"]).tolist()) == [30, 30, 30]
    # fold 0 scored by the network learned from folds 1 and 2 only
    rest = data[cv["fold"] != 0]
    fitted = learn(marrow, rest.reset_index(drop=True), outcome="biopsy").network
    held = data[cv["fold"] == 0].drop(columns="biopsy").reset_index(drop=True)
    expect = bayesdx.score_frame(fitted, held)["group:neoplasm"].to_numpy()
    np.testing.assert_allclose(cv["p"][cv["fold"] == 0], expect, atol=1e-12)
    res = validate_cohort(marrow, data, "biopsy", scores=cv, bootstrap=0, folds=3)
    assert "Cross-validated: 3 folds" in str(res)


def test_result_views_and_report_page(result, tmp_path):
    d = result.to_dict()
    assert json.loads(json.dumps(d))["metrics"]["auc"]["estimate"] == result.estimates["auc"]
    assert d["disclaimer"] and d["n"] == 700
    assert result.to_frame().shape[0] == len(result._rows())
    assert "<table" in result._repr_html_()
    for draw in (result.plot, result.plot_roc, result.plot_decision_curve):
        ax = draw()
        assert ax.get_lines()
        plt.close(ax.figure)
    page = write_cohort_report(result, tmp_path / "rep")
    text = page.read_text()
    for name in ("reliability.png", "roc.png", "decision_curve.png"):
        assert (tmp_path / "rep" / name).stat().st_size > 5000
        assert f'src="{name}"' in text
    assert "calibration slope" in text and "Collins" in text


# ---------------------------------------------------------------- the command line
def _one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bayesdx: error:"), err
    return err


def test_cli_validate_data(cohort, tmp_path, capsys):
    data = tmp_path / "cohort.csv"
    cohort.iloc[:300].to_csv(data, index=False)
    report = tmp_path / "rep"
    code = main(["validate", "--data", str(data), "--outcome", "biopsy", "--bootstrap", "100",
                 "--report", str(report), "--json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["n"] == 300 and doc["too_small"] is True and doc["report"].endswith("report.html")
    assert doc["metrics"]["auc"]["low"] <= doc["metrics"]["auc"]["estimate"]
    assert (report / "report.html").is_file()
    assert main(["validate", "--data", str(data), "--outcome", "biopsy", "--bootstrap", "0"]) == 0
    assert "Too small for a conclusion" in capsys.readouterr().out


def test_cli_validate_on_the_learning_data_says_so_and_cross_validates(cohort, tmp_path, capsys):
    data = tmp_path / "cohort.csv"
    cohort.iloc[:120].to_csv(data, index=False)
    local = tmp_path / "local.yaml"
    assert main(["learn", "--data", str(data), "--outcome", "biopsy", "--out", str(local)]) == 0
    capsys.readouterr()
    args = ["validate", "--network", str(local), "--data", str(data), "--outcome", "biopsy",
            "--bootstrap", "0"]  # fmt: skip
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["same_data_as_learning"] is True and "--folds" in doc["warnings"][0]
    # the same patients in another order, columns swapped, CRLF: the same data
    shuffled = tmp_path / "shuffled.csv"
    cohort.iloc[:120].iloc[::-1][["biopsy", *FINDINGS]].to_csv(
        shuffled, index=False, lineterminator="\r\n"
    )
    assert main([*args[:4], str(shuffled), *args[5:], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["same_data_as_learning"] is True
    # other patients: no warning
    other = tmp_path / "other.csv"
    cohort.iloc[120:240].to_csv(other, index=False)
    assert main([*args[:4], str(other), *args[5:], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["same_data_as_learning"] is False
    # cross-validated: the literature network, learned fold by fold
    assert main([*args, "--folds", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cross_validation_folds"] == 3 and doc["same_data_as_learning"] is False
    assert doc["network"] == "marrow_signal"


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("", ["--outcome", "dx"], "is empty"),
        ("hb,dx\n", ["--outcome", "dx"], "has no patients"),
        ("hb,banana,dx\n10,x,cmml\n", ["--outcome", "dx"], "banana"),
        ("hb,dx\n10,cmml\n", ["--outcome", "nope"], "no outcome column 'nope'"),
        ("hb,dx\nten,cmml\n", ["--outcome", "dx"], "line 2, column hb"),
        ("m_protein,dx\nlots,cmml\n", ["--outcome", "dx"], "lots"),
        ("hb,dx\n10,flu\n", ["--outcome", "dx"], "outcome 'flu'"),
        ("hb,dx\n10,\n", ["--outcome", "dx"], "empty in every row"),
        ("hb,dx\n10,cmml\n", [], "--data needs --outcome"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--folds", "1"], "--folds must be 2"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--folds", "5"], "folds must be a whole"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--bootstrap", "x"], "--bootstrap"),
        ("hb,dx\n10,cmml\n", ["--outcome", "dx", "--cases", "."], "not both"),
    ],
)
def test_cli_validate_bad_input_exit_2(tmp_path, capsys, content, extra, message):
    data = tmp_path / "cohort.csv"
    data.write_text(content)
    assert main(["validate", "--data", str(data), *extra]) == 2
    assert message in _one_error_line(capsys)


def test_cli_validate_options_need_data(capsys):
    assert main(["validate", "--outcome", "dx"]) == 2
    assert "--outcome goes with --data" in _one_error_line(capsys)


def test_cli_validate_report_never_over_an_input(cohort, tmp_path, capsys):
    folder = tmp_path / "rep"
    folder.mkdir()
    data = folder / "report.html"  # a cohort where the page would go
    cohort.iloc[:60].to_csv(data, index=False)
    before = data.read_bytes()
    code = main(["validate", "--data", str(data), "--outcome", "biopsy", "--bootstrap", "0",
                 "--report", str(folder)])  # fmt: skip
    assert code == 2
    _one_error_line(capsys)
    assert data.read_bytes() == before
    file_in_the_way = tmp_path / "afile"
    file_in_the_way.write_text("x")
    code = main(["validate", "--data", str(data), "--outcome", "biopsy", "--report",
                 str(file_in_the_way)])  # fmt: skip
    assert code == 2 and "it is a file" in _one_error_line(capsys)
