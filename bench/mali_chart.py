"""The troop-pledge bar chart for bench/mali.md, as a user would script it by hand.

python bench/mali_chart.py [OUT.png]   (default: mali_chart.png in the current folder)

Same numbers as briefs/mali-2013/brief.yaml: each country's latest troop figure,
split into troops already in Mali and troops still to come (ECOWAS as a whole is not charted).
"""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

# country, troops promised (latest report), troops already in place, approximate?
PLEDGES = [
    ("France", 2500, 1400, False),
    ("Chad", 2000, 0, False),
    ("Nigeria", 900, 200, True),
    ("Togo", 730, 100, True),
    ("Benin", 650, 50, True),
    ("Burkina Faso", 500, 0, False),
    ("Niger", 500, 0, False),
    ("Senegal", 500, 0, False),
    ("Guinea", 150, 0, False),
    ("Ghana", 120, 0, False),
]


def main(out: str = "mali_chart.png") -> None:
    names = [p[0] for p in PLEDGES][::-1]
    there = [p[2] for p in PLEDGES][::-1]
    to_come = [p[1] - p[2] for p in PLEDGES][::-1]
    fig, ax = plt.subplots(figsize=(7.1, 4.2))
    ax.barh(names, there, color="#1f3a5f", label="Already in place")
    ax.barh(
        names,
        to_come,
        left=there,
        color="#7ba3d6",
        hatch="//",
        edgecolor="#1f3a5f",
        label="Pledged, not yet in place",
    )
    for y, (_, total, in_place, approx) in enumerate(PLEDGES[::-1]):
        text = f"{'about ' if approx else ''}{total:,}"
        if in_place:
            text += f" ({in_place:,} already there)"
        ax.text(total + 30, y, text, va="center", fontsize=9)
    ax.set_xlim(0, 3600)
    ax.set_xlabel("troops")
    ax.set_title("Troop pledges for Mali, 17 to 23 January 2013")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    fig.savefig(out, dpi=200)


if __name__ == "__main__":
    main(*sys.argv[1:2])
