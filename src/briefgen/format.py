"""Numbers, dates and names in the brief's language (Babel): 1,700 / 1 700; 17 January 2013."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from briefgen.dates import PartialDate

if TYPE_CHECKING:
    from babel import Locale

    from briefgen.slots import Words as Labels


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting for one brief."""

    language: str
    labels: Labels

    @cached_property
    def locale(self) -> Locale:
        from babel import Locale, UnknownLocaleError

        try:
            tag = self.language.replace("-", "_")
            # Bare English is written the international way: 17 January 2013.
            return Locale.parse("en_GB" if tag.lower() == "en" else tag)
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")

    def number(self, value: int, approximate: bool = False) -> str:
        from babel.numbers import format_decimal

        text = str(format_decimal(value, locale=self.locale))
        return self.labels.fill("approx", value=text) if approximate else text

    def money(self, value: float, currency: str, approximate: bool = False) -> str:
        """An amount in its currency, as the brief's locale writes it: US$50,000,000 or
        50 000 000 $US; cents only when the amount has them."""
        from babel.numbers import format_currency

        pattern = self.locale.currency_formats["standard"].pattern
        whole = float(value).is_integer()
        if whole:  # no ".00" on a round pledge
            pattern = pattern.replace(".00", "").replace(",00", "")
        text = str(
            format_currency(
                int(value) if whole else value,
                currency,
                format=pattern,
                locale=self.locale,
                currency_digits=not whole,
            )
        )
        return self.labels.fill("approx", value=text) if approximate else text

    def date(self, when: PartialDate, short: bool = False) -> str:
        from babel.dates import format_date, format_skeleton

        if when.precision == "day":
            return str(format_date(when.start, "medium" if short else "long", locale=self.locale))
        if when.precision == "month":
            return str(
                format_skeleton("yMMM" if short else "yMMMM", when.start, locale=self.locale)
            )
        return str(when.year)

    def date_range(self, dates: list[PartialDate]) -> str:
        """The span of some dates: one date, or 'du 12 au 19 mai 2031' where the labels have a
        `date_range` snippet (French), else '12 May 2031 – 19 May 2031'."""
        if not dates:
            return ""
        first, last = min(dates), max(dates)
        if first == last:
            return self.date(first)
        if "date_range" in self.labels.table:
            start, end = self._ends(first, last)
            return self.labels.fill("date_range", start=start, end=end)
        return f"{self.date(first, short=True)} – {self.date(last, short=True)}"

    def as_of(self, dates: list[PartialDate]) -> str:
        """'As of 19 May 2031', or for several dates 'Du 12 au 19 mai 2031' where the labels have
        an `as_of_range` snippet (French: never 'Au 12 mai 2031 – 19 mai 2031')."""
        first, last = min(dates), max(dates)
        if first != last and "as_of_range" in self.labels.table:
            start, end = self._ends(first, last)
            return self.labels.fill("as_of_range", start=start, end=end)
        return self.labels.fill("as_of_date", date=self.date_range(dates))

    def _ends(self, first: PartialDate, last: PartialDate) -> tuple[str, str]:
        """Both ends of a span, what they share said once: ('12', '19 mai 2031'),
        ('12 avril', '19 mai 2031'); the first day of a month is '1er' in French."""
        from babel.dates import format_skeleton

        end = self.date(last)
        if first.precision != "day" or last.precision != "day" or first.year != last.year:
            return self.date(first), end
        if first.month == last.month:
            start = str(first.day)
        else:
            start = str(format_skeleton("dMMMM", first.start, locale=self.locale))
        if first.day == 1 and self.locale.language == "fr":
            start = start.replace("1", "1er", 1)
        return start, end
