"""Draw the schematic map for briefs/mali-2013 (map.png).

The outline of Mali is a hand-written, simplified list of border points
(longitude, latitude); it is approximate and only meant to show where places
are. No geodata is downloaded. The output is deterministic (no timestamp or
software tag in the PNG), so re-running the script gives the same bytes.

Run from the repository root (it needs matplotlib: `.venv/bin/pip install -e '.[scripts]'`):

    .venv/bin/python scripts/draw_mali_map.py
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.patches import Polygon

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "briefs" / "mali-2013" / "map.png"

# Simplified border of Mali, (lon, lat), clockwise from the western tip.
MALI = [
    # West: border with Senegal, then Mauritania along ~15.5 N
    (-12.17, 14.62),
    (-11.83, 14.80),
    (-11.67, 15.39),
    (-11.35, 15.41),
    (-10.65, 15.13),
    (-10.09, 15.33),
    (-9.70, 15.26),
    (-9.55, 15.49),
    (-7.50, 15.50),
    (-5.54, 15.50),
    # North-west: border with Mauritania running north to 25 N
    (-5.32, 16.20),
    (-5.49, 16.33),
    (-5.97, 20.64),
    (-6.45, 24.96),
    (-4.92, 24.97),
    # North-east arm: long straight border with Algeria
    (-3.23, 23.88),
    (-1.55, 22.79),
    (0.14, 21.70),
    (1.82, 20.61),
    (2.06, 20.14),
    (2.68, 19.86),
    (3.15, 19.69),
    (3.16, 19.06),
    (4.27, 19.16),
    # East: border with Niger
    (4.27, 16.85),
    (3.72, 16.18),
    (3.64, 15.57),
    (2.75, 15.41),
    (1.39, 15.32),
    (1.02, 14.97),
    (0.37, 14.93),
    (-0.27, 14.92),
    # South: border with Burkina Faso
    (-0.52, 15.12),
    (-1.07, 14.97),
    (-2.00, 14.56),
    (-2.19, 14.25),
    (-2.97, 13.80),
    (-3.10, 13.54),
    (-3.52, 13.34),
    (-4.01, 13.47),
    (-4.28, 13.23),
    (-4.43, 12.54),
    (-5.22, 11.71),
    (-5.20, 11.38),
    # South: border with Cote d'Ivoire
    (-5.47, 10.95),
    (-5.40, 10.37),
    (-5.82, 10.22),
    (-6.05, 10.10),
    (-6.21, 10.52),
    (-6.67, 10.43),
    (-6.85, 10.14),
    (-7.62, 10.15),
    (-7.90, 10.30),
    (-8.03, 10.21),
    # South-west: border with Guinea
    (-8.34, 10.49),
    (-8.28, 10.79),
    (-8.62, 10.81),
    (-8.58, 11.14),
    (-8.38, 11.39),
    (-8.79, 11.81),
    (-9.13, 12.31),
    (-9.57, 12.19),
    (-10.17, 11.84),
    (-10.59, 11.92),
    (-10.87, 12.18),
    (-11.30, 12.08),
    (-11.46, 12.08),
    (-11.51, 12.44),
    (-11.47, 12.75),
    (-11.55, 13.14),
    # West again: border with Senegal (Faleme river)
    (-11.93, 13.42),
    (-12.12, 13.99),
]

# (name, lon, lat, label dx, label dy, horizontal alignment) — offsets in points
PLACES = [
    ("Bamako\n(capital)", -8.00, 12.65, 9, -1, "left"),
    ("Diabaly", -6.00, 14.70, -8, 6, "right"),
    ("Konna", -3.90, 14.95, 8, 5, "left"),
    ("Mopti", -4.20, 14.50, 8, -12, "left"),
    ("Timbuktu", -3.00, 16.77, 0, 9, "center"),
    ("Gao", -0.05, 16.27, 9, -3, "left"),
    ("Kidal", 1.41, 18.44, 9, -3, "left"),
]

# Neighbouring countries, written lightly outside the border.
NEIGHBOURS = [
    ("ALGERIA", 1.8, 23.6, 0),
    ("MAURITANIA", -9.8, 20.0, 0),
    ("SENEGAL", -13.3, 14.2, 90),
    ("GUINEA", -10.9, 10.6, 0),
    ("CÔTE D'IVOIRE", -6.4, 9.3, 0),
    ("BURKINA FASO", -1.9, 12.4, 0),
    ("NIGER", 5.4, 16.0, 90),
]

XMIN, XMAX = -14.5, 6.5
YMIN, YMAX = 8.6, 26.2
MID_LAT = 17.5  # for the aspect ratio and the scale bar

INK = "#1a1a1a"
GREY = "#7a7a7a"
FILL = "#e4e4e4"


def draw(out: Path = OUT) -> Path:
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "briefgen"})
    fig = plt.figure(figsize=(8, 7), dpi=200)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    ax.set_xlim(XMIN, XMAX)
    ax.set_ylim(YMIN, YMAX)
    # One degree of longitude is shorter than one of latitude: correct for it.
    ax.set_aspect(1 / math.cos(math.radians(MID_LAT)))
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#b0b0b0")
        spine.set_linewidth(0.8)

    ax.add_patch(
        Polygon(
            MALI,
            closed=True,
            facecolor=FILL,
            edgecolor=INK,
            linewidth=1.4,
            joinstyle="round",
            zorder=1,
        )
    )
    ax.text(
        -2.4,
        20.4,
        "MALI",
        fontsize=22,
        fontweight="bold",
        color="#9a9a9a",
        ha="center",
        va="center",
        zorder=2,
    )

    for name, lon, lat, rot in NEIGHBOURS:
        ax.text(
            lon,
            lat,
            name,
            fontsize=10,
            color=GREY,
            ha="center",
            va="center",
            rotation=rot,
            zorder=2,
        )

    for name, lon, lat, dx, dy, ha in PLACES:
        capital = name.startswith("Bamako")
        ax.plot(
            lon,
            lat,
            marker="s" if capital else "o",
            markersize=7 if capital else 5.5,
            color=INK,
            markeredgecolor="white",
            markeredgewidth=0.8,
            zorder=4,
        )
        ax.annotate(
            name,
            (lon, lat),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=10.5,
            fontweight="bold" if capital else "normal",
            color=INK,
            zorder=5,
        )

    # Scale bar: 200 km measured along the parallel it is drawn on.
    bar_lat, bar_lon, km = 9.6, 1.0, 200
    deg = km / (111.32 * math.cos(math.radians(bar_lat)))
    ax.plot(
        [bar_lon, bar_lon + deg],
        [bar_lat, bar_lat],
        color=INK,
        linewidth=2.2,
        solid_capstyle="butt",
        zorder=3,
    )
    for x in (bar_lon, bar_lon + deg):
        ax.plot([x, x], [bar_lat - 0.12, bar_lat + 0.12], color=INK, linewidth=1.2, zorder=3)
    ax.text(
        bar_lon + deg / 2,
        bar_lat + 0.3,
        f"about {km} km",
        fontsize=9,
        color=INK,
        ha="center",
        va="bottom",
    )

    # North arrow.
    ax.annotate(
        "N",
        xy=(-13.4, 25.5),
        xytext=(-13.4, 24.1),
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        color=INK,
        arrowprops=dict(arrowstyle="-|>", color=INK, linewidth=1.4),
    )

    ax.text(
        XMAX - 0.2,
        YMIN + 0.2,
        "Schematic map — borders approximate",
        fontsize=8,
        color=GREY,
        ha="right",
        va="bottom",
        style="italic",
    )

    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(
        out, dpi=200, facecolor="white", metadata={"Software": None}, pil_kwargs={"optimize": True}
    )
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(draw())
