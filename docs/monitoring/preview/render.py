#!/usr/bin/env python3
"""Renders the Grafana dashboard's panels from a live Prometheus, without Grafana.

Every target expression of docs/monitoring/rnnstream-dashboard.json is run as a range query
against Prometheus's HTTP API, and each panel is drawn where its gridPos puts it, as a line chart
with its legend, into one self-contained HTML file (inline SVG, no JavaScript). The alert rules'
states come from the same server. Exits with status 1, naming them, when any query returns no
series: a dashboard query that matches nothing is a broken panel.

    python3 render.py --prometheus http://localhost:9090 --minutes 6 --out dashboard.html
"""
import argparse
import datetime
import html
import json
import pathlib
import re
import sys
import urllib.parse
import urllib.request

COLUMN_PX = 58  # Grafana's 24 columns
ROW_PX = 34
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def api(server, path, params):
    url = server.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{url}: {body}")
    return body["data"]


def substitute(expr, variables):
    for name, value in variables.items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def legend(template, labels, expr):
    if not template:
        return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__") or expr
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)


def number(value):
    if value != value:  # NaN
        return "NaN"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def chart(series, start, end, width, height):
    """An SVG line chart of [(name, [(t, v)])] over [start, end]."""
    values = [v for _, points in series for _, v in points if v == v]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high == low:
        high, low = high + 1, low - 1 if low != 0 else 0
    left, right, top, bottom = 52, 8, 8, 20
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t):
        return left + (t - start) / (end - start) * plot_w

    def y(v):
        return top + (high - v) / (high - low) * plot_h

    parts = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for fraction in (0, 0.5, 1):
        v = low + (high - low) * fraction
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'stroke="#e3e3e3"/><text x="{left - 4}" y="{y(v) + 4:.1f}" font-size="10" '
            f'text-anchor="end" fill="#555">{number(v)}</text>'
        )
    for t in (start, (start + end) / 2, end):
        label = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M:%S")
        parts.append(
            f'<text x="{x(t):.1f}" y="{height - 5}" font-size="10" text-anchor="middle" '
            f'fill="#555">{label}</text>'
        )
    for index, (_, points) in enumerate(series):
        path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points if v == v)
        if path:
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{path}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus", default="http://localhost:9090")
    parser.add_argument(
        "--dashboard",
        default=str(pathlib.Path(__file__).resolve().parent.parent / "rnnstream-dashboard.json"),
    )
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--model", default=".*", help="value of the dashboard's $model variable")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    dashboard = json.loads(pathlib.Path(args.dashboard).read_text(encoding="utf-8"))
    end = datetime.datetime.now(datetime.timezone.utc).timestamp()
    start = end - args.minutes * 60
    step = max(5, int(args.minutes * 60 / 240))
    variables = {"model": args.model}

    empty = []
    boxes = []
    bottom_px = 0
    for panel in dashboard.get("panels", []):
        grid = panel.get("gridPos", {"x": 0, "y": 0, "w": 12, "h": 8})
        left, top = grid["x"] * COLUMN_PX, grid["y"] * ROW_PX + 70
        width, height = grid["w"] * COLUMN_PX - 8, grid["h"] * ROW_PX - 8
        bottom_px = max(bottom_px, top + height)
        series = []
        for target in panel.get("targets", []):
            expr = substitute(target["expr"], variables)
            result = api(
                args.prometheus,
                "/api/v1/query_range",
                {"query": expr, "start": start, "end": end, "step": step},
            )["result"]
            if not result:
                empty.append(f"{panel.get('title')}: {expr}")
            for item in result:
                points = [(float(t), float(v)) for t, v in item["values"]]
                series.append((legend(target.get("legendFormat"), item["metric"], expr), points))
        legend_rows = "".join(
            f'<div><span style="color:{COLOURS[i % len(COLOURS)]}">&#9644;</span> '
            f"{html.escape(name)} <b>{number(points[-1][1]) if points else '-'}</b></div>"
            for i, (name, points) in enumerate(series)
        )
        legend_px = 16 * max(1, len(series))
        svg = (
            chart(series, start, end, width - 12, max(60, height - 34 - legend_px))
            if series
            else '<div class="empty">no data</div>'
        )
        boxes.append(
            f'<div class="panel" style="left:{left}px;top:{top}px;width:{width}px;'
            f'height:{height}px"><div class="title">{html.escape(panel.get("title", ""))}</div>'
            f'{svg}<div class="legend">{legend_rows}</div></div>'
        )

    alerts = api(args.prometheus, "/api/v1/rules", {"type": "alert"})["groups"]
    alert_rows = "".join(
        f"<tr><td>{html.escape(rule['name'])}</td><td>{rule['state']}</td>"
        f"<td><code>{html.escape(rule['query'])}</code></td></tr>"
        for group in alerts
        for rule in group["rules"]
    )
    stamp = datetime.datetime.fromtimestamp(end, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(dashboard.get('title', 'dashboard'))}</title>
<style>
body {{ font-family: sans-serif; margin: 0; background: #f4f5f5; }}
header {{ position: absolute; left: 0; top: 0; width: {24 * COLUMN_PX}px; padding: 10px 12px;
  box-sizing: border-box; font-size: 13px; color: #333; }}
header h1 {{ font-size: 18px; margin: 0 0 4px 0; }}
.panel {{ position: absolute; background: #fff; border: 1px solid #d8d9da; border-radius: 3px;
  padding: 4px 6px; box-sizing: border-box; overflow: hidden; }}
.title {{ font-size: 13px; font-weight: bold; margin-bottom: 2px; }}
.legend {{ font-size: 11px; line-height: 16px; color: #333; }}
.empty {{ color: #b00; font-size: 12px; padding: 20px; }}
.alerts {{ position: absolute; left: 0; top: {bottom_px + 16}px; width: {24 * COLUMN_PX - 8}px;
  font-size: 12px; background: #fff; border: 1px solid #d8d9da; padding: 6px; box-sizing: border-box; }}
.alerts td {{ padding: 2px 8px 2px 0; vertical-align: top; }}
</style></head><body>
<header><h1>{html.escape(dashboard.get('title', ''))}</h1>
The dashboard's own PromQL, run against Prometheus at {html.escape(args.prometheus)} over the
{args.minutes:g} minutes to {stamp}; $model = <code>{html.escape(args.model)}</code>.
Panels drawn by docs/monitoring/preview/render.py, not by Grafana.</header>
{''.join(boxes)}
<div class="alerts"><b>Alert rules (docs/monitoring/alerts.yaml) as Prometheus evaluates them</b>
<table>{alert_rows}</table></div>
</body></html>
"""
    pathlib.Path(args.out).write_text(page, encoding="utf-8")
    print(f"wrote {args.out}: {len(boxes)} panels")
    if empty:
        print("queries without any series:\n  " + "\n  ".join(empty), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
