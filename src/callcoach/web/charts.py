"""Plotly figures for the pages, as the JSON plotly.js draws (the library is served locally).

Presentation only: every number comes from a service report; these functions lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callcoach.analytics.agreement import CriterionAgreement
from callcoach.analytics.scorecards import RepScorecard, TeamBenchmark
from callcoach.analytics.trends import TrendPoint
from callcoach.domain.rubric import Rubric
from callcoach.domain.trust import CriterionTrust
from callcoach.services.assessment.outcomes import OutcomesReport

Figure = dict[str, Any]
# Levels 1-5 from red through amber to green, the colours of the level badges.
LEVEL_SCALE = [
    [0.0, "#c0392b"],
    [0.25, "#e67e22"],
    [0.5, "#d4ac0d"],
    [0.75, "#52a36b"],
    [1.0, "#1e7b46"],
]
_FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13}
_MARGIN = {"l": 10, "r": 10, "t": 30, "b": 10}


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": _FONT,
        "margin": _MARGIN,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    layout.update(extra)
    # Axis titles and long criterion names get the room they need instead of overlapping.
    for axis in ("xaxis", "yaxis"):
        layout.setdefault(axis, {}).setdefault("automargin", True)
    return layout


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def team_heatmap(
    rubric: Rubric,
    cards: list[RepScorecard],
    benchmarks: list[TeamBenchmark],
    trust: Mapping[str, CriterionTrust] | None = None,
) -> Figure:
    """Reps x criteria: the mean level, coloured 1-5, with n and the interval on hover.

    A criterion whose scores are not trusted (or still learning) carries the mark in its name."""
    marks = {cid: t.mark for cid, t in (trust or {}).items()}
    names = [f"{c.name} ({marks[c.id]})" if marks.get(c.id) else c.name for c in rubric.criteria]
    ids = [c.id for c in rubric.criteria]
    rows_z: list[list[float | None]] = []
    rows_text: list[list[str]] = []
    rows_hover: list[list[str]] = []
    labels: list[str] = []
    for bench in benchmarks:
        lines = {line.criterion_id: line for line in bench.criteria}
        label = f"Team benchmark: {bench.team}" if len(benchmarks) > 1 else "Team benchmark"
        labels.append(label)
        rows_z.append([lines[i].mean if i in lines else None for i in ids])
        rows_text.append([_fmt(lines[i].mean) if i in lines else "" for i in ids])
        rows_hover.append(
            [
                f"{label}<br>{name}: {_fmt(lines[i].mean)} (n={lines[i].n} calls, 95% CI "
                f"{_fmt(lines[i].ci_low)}–{_fmt(lines[i].ci_high)})"
                if i in lines
                else ""
                for i, name in zip(ids, names, strict=True)
            ]
        )
    # Reps in the order of the priorities table beside the chart (by name).
    for card in sorted(cards, key=lambda c: c.rep):
        lines_by_id = {line.criterion_id: line for line in card.criteria}
        labels.append(card.rep)
        rows_z.append([lines_by_id[i].mean if i in lines_by_id else None for i in ids])
        rows_text.append([_fmt(lines_by_id[i].mean) if i in lines_by_id else "" for i in ids])
        warn = "" if card.enough_calls else "<br>⚠ too few calls for a meaningful assessment"
        rows_hover.append(
            [
                f"{card.rep}<br>{name}: {_fmt(lines_by_id[i].mean)} (n={lines_by_id[i].n} calls, "
                f"95% CI {_fmt(lines_by_id[i].ci_low)}–{_fmt(lines_by_id[i].ci_high)}; team "
                f"{_fmt(lines_by_id[i].team_mean)}){warn}"
                if i in lines_by_id
                else ""
                for i, name in zip(ids, names, strict=True)
            ]
        )
    return {
        "data": [
            {
                "type": "heatmap",
                "z": rows_z,
                "x": names,
                "y": labels,
                "text": rows_text,
                "texttemplate": "%{text}",
                "hovertext": rows_hover,
                "hoverinfo": "text",
                "customdata": [[label] * len(ids) for label in labels],
                "zmin": 1,
                "zmax": 5,
                "colorscale": LEVEL_SCALE,
                "xgap": 2,
                "ygap": 2,
                "colorbar": {"title": {"text": "mean level"}, "tickvals": [1, 2, 3, 4, 5]},
            }
        ],
        "layout": _layout(
            height=max(220, 46 * len(labels) + 70),
            xaxis={"side": "top", "tickangle": 0, "automargin": True},
            # Rows read top to bottom in list order (plotly draws the first row at the bottom).
            yaxis={"automargin": True, "autorange": "reversed"},
        ),
    }


def scorecard_intervals(card: RepScorecard) -> Figure:
    """Each criterion's mean with its 95% interval, next to the team mean."""
    names = [c.name for c in card.criteria]
    means = [c.mean for c in card.criteria]
    plus = [
        (c.ci_high - c.mean) if c.ci_high is not None and c.mean is not None else 0
        for c in card.criteria
    ]
    minus = [
        (c.mean - c.ci_low) if c.ci_low is not None and c.mean is not None else 0
        for c in card.criteria
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "name": card.rep,
                "x": means,
                "y": names,
                "marker": {"size": 12, "color": "#2456a6"},
                "error_x": {"type": "data", "array": plus, "arrayminus": minus, "thickness": 2},
                "hovertemplate": "%{y}: %{x:.2f}<extra>" + card.rep + "</extra>",
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "team mean",
                "x": [c.team_mean for c in card.criteria],
                "y": names,
                "marker": {
                    "size": 12,
                    "symbol": "line-ns-open",
                    "color": "#9a6400",
                    "line": {"width": 3},
                },
                "hovertemplate": "%{y}: team %{x:.2f}<extra></extra>",
            },
        ],
        "layout": _layout(
            height=70 + 46 * len(names),
            xaxis={"range": [0.8, 5.2], "dtick": 1, "title": {"text": "mean level (95% CI)"}},
            yaxis={"automargin": True, "autorange": "reversed"},
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        ),
    }


def trend_lines(rubric: Rubric, points: list[TrendPoint]) -> Figure:
    cycles = [p.cycle for p in points]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "overall (weighted)",
            "x": cycles,
            "y": [p.overall for p in points],
            "line": {"width": 4, "color": "#17263d"},
            "text": [f"{p.calls} calls" for p in points],
            "hovertemplate": "%{x}: %{y:.2f} (%{text})<extra>overall</extra>",
        }
    ]
    for crit in rubric.criteria:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": crit.name,
                "x": cycles,
                "y": [p.criteria.get(crit.id) for p in points],
                "hovertemplate": "%{x}: %{y:.2f}<extra>" + crit.name + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=340,
            yaxis={"range": [0.8, 5.2], "dtick": 1, "title": {"text": "mean level"}},
            xaxis={"type": "category"},
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        ),
    }


def agreement_bars(criteria: list[CriterionAgreement], target: float, title: str) -> Figure:
    names = [c.name for c in criteria]
    return {
        "data": [
            {
                "type": "bar",
                "name": "within one level",
                "x": names,
                "y": [c.within_one.value for c in criteria],
                "marker": {"color": "#2456a6"},
                "hovertemplate": "%{x}: %{y:.0%} within one level<extra></extra>",
            },
            {
                "type": "bar",
                "name": "exact",
                "x": names,
                "y": [c.exact.value for c in criteria],
                "marker": {"color": "#9fb6dc"},
                "hovertemplate": "%{x}: %{y:.0%} exact<extra></extra>",
            },
        ],
        "layout": _layout(
            title={"text": title, "font": {"size": 14}},
            height=320,
            barmode="group",
            yaxis={"range": [0, 1.05], "tickformat": ".0%"},
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": target,
                    "y1": target,
                    "line": {"color": "#b3261e", "dash": "dash"},
                }
            ],
            annotations=[
                {
                    "xref": "paper",
                    "x": 1,
                    "y": target,
                    "text": f"target {target:.0%}",
                    "showarrow": False,
                    "yshift": 10,
                    "xanchor": "right",
                    "font": {"color": "#b3261e"},
                }
            ],
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        ),
    }


def outcome_relations(report: OutcomesReport) -> Figure:
    names = [w.name for w in report.criteria]
    values = [w.relation.correlation.value for w in report.criteria]
    plus = [
        (w.relation.ci_high - v) if w.relation.ci_high is not None and v is not None else 0
        for w, v in zip(report.criteria, values, strict=True)
    ]
    minus = [
        (v - w.relation.ci_low) if w.relation.ci_low is not None and v is not None else 0
        for w, v in zip(report.criteria, values, strict=True)
    ]
    colours = ["#1e7b46" if w.relation.significant else "#8a96a6" for w in report.criteria]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers",
                "x": values,
                "y": names,
                "marker": {"size": 13, "color": colours},
                "error_x": {"type": "data", "array": plus, "arrayminus": minus, "thickness": 2},
                "text": [f"n={w.relation.n} deals" for w in report.criteria],
                "hovertemplate": "%{y}: r=%{x:.2f} (%{text})<extra></extra>",
            }
        ],
        "layout": _layout(
            height=80 + 46 * len(names),
            xaxis={
                "range": [-1, 1],
                "zeroline": True,
                "title": {"text": "relation to winning (point-biserial r, 95% bootstrap CI)"},
            },
            yaxis={"automargin": True, "autorange": "reversed"},
            showlegend=False,
        ),
    }
