"""The words and codes the sample city is made of, and the particulars drawn from them.

Surnames (weighted by frequency), given names, mobile prefixes and company trade names come
from Faker's ``zh_CN`` providers; Hangzhou roads, trade names, industry words, birthplaces and
the commitment text from ``registry/data/sample_city.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from faker.providers.company.zh_CN import Provider as CompanyWords
from faker.providers.person.zh_CN import Provider as PersonNames
from faker.providers.phone_number.zh_CN import Provider as PhoneNumbers
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from ..identifiers import clean_id_number, synthesise_uscc
from ..regions import region_name

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "sample_city.json"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@cache
def lexicon() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    return data


@cache
def brand_words() -> tuple[str, ...]:
    """Trade names (字号): the lexicon's Hangzhou words, then Faker's two-character ones."""
    excluded = set(lexicon()["faker_brand_words_excluded"])
    words = list(lexicon()["brand_words"])
    for word in CompanyWords.company_prefixes:
        if re.fullmatch(r"[\u4e00-\u9fff]{2}", word) and word not in excluded and word not in words:
            words.append(word)
    return tuple(words)


@cache
def birthplaces_valid_in(codes: tuple[str, ...], year: int) -> tuple[str, ...]:
    """The birthplace codes a resident ID may carry for someone born in ``year``: python-stdnum
    knows when each county code was in force."""
    valid = []
    for code in codes:
        body = f"{code}{year}0615001"
        try:
            ric.validate(body + ric.calc_check_digit(body + "0"))
        except StdnumError:
            continue
        valid.append(code)
    return tuple(valid)


class Particulars:
    """Draws names, codes, numbers, addresses and dates from one random generator, never
    handing out the same name, ID number, phone number or credit code twice."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.lex = lexicon()
        self._people: set[str] = set()
        self._id_numbers: set[str] = set()
        self._phones: set[str] = set()
        self._serial = rng.randrange(20_000, 60_000)

    # dates

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def office_hours(self, day: dt.date) -> dt.datetime:
        clock = dt.time(self.rng.randrange(9, 17), self.rng.randrange(60))
        return dt.datetime.combine(day, clock, tzinfo=SHANGHAI)

    def years_ago(self, years: int) -> dt.date:
        return self.today - dt.timedelta(days=365 * years)

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # people

    def person_name(self, male: bool) -> str:
        surnames = list(PersonNames.last_names)
        weights = list(PersonNames.last_names.values())
        given = PersonNames.first_names_male if male else PersonNames.first_names_female
        name = ""
        for _ in range(30):
            name = self.rng.choices(surnames, weights=weights)[0] + self.rng.choice(given)
            if name not in self._people:
                break
        self._people.add(name)
        return name

    def birth(self, pool: str, born_from: int, born_to: int) -> tuple[dt.date, str]:
        """A birth date and a birthplace from ``pool`` whose code existed in that year."""
        codes = tuple(self.lex["birthplaces"][pool])
        for _ in range(60):
            born = self.date_between(dt.date(born_from, 1, 1), dt.date(born_to, 12, 28))
            places = birthplaces_valid_in(codes, born.year)
            if places:
                return born, self.rng.choice(places)
        return self.birth("zhejiang", born_from, born_to)

    def id_number(self, birthplace: str, born: dt.date, male: bool) -> str:
        """An 18-digit resident ID (GB 11643): birthplace, birth date, an order code that is
        odd for men and even for women, and the check digit."""
        while True:
            order = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{birthplace}{born:%Y%m%d}{order:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return clean_id_number(number)

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choice(PhoneNumbers.phonenumber_prefixes)
            number = f"{prefix}{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    # organisations

    def uscc(self, region: str, *, authority: str = "9", kind: str = "1") -> str:
        """A well-formed credit code: 9/1 enterprise, 5/1 social organisation, 1/1 organ."""
        self._serial += self.rng.randint(1, 37)
        return synthesise_uscc(region, self._serial, authority=authority, kind=kind)

    def landline(self) -> str:
        return f"0571-8{self.rng.randrange(10**7):07d}"

    def address(self, region: str) -> str:
        district = (region_name(region) or "").removeprefix("浙江省杭州市")
        road = self.rng.choice(self.lex["roads"][region])
        address = f"杭州市{district}{road}{self.rng.randint(1, 999)}号"
        if self.rng.random() < 0.4:
            building, floor = self.rng.randint(1, 12), self.rng.randint(2, 21)
            address += f"{building}幢{floor}0{self.rng.randint(1, 9)}室"
        return address
