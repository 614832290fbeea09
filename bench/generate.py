"""Generate a synthetic osce-digest project for benchmarks.

``python bench/generate.py --reports N --seed S --out DIR`` writes ``DIR/content/`` (site.yaml,
topics.yaml, actors.yaml, venues.yaml, sources.yaml and ``reports/*.md``) in the content
contract of README.md. Everything is fictional and derived from one seeded ``random.Random``,
so the same arguments always give the same bytes.

The corpus exercises every feature of the contract: encounters shared by one to three reports,
all seven section kinds (explicit ``{#kind}`` ids and alias headings), ``###`` items with
attributes, positions of two parties in every disagreement, footnote citations of the
report's own and shared sources, sentences in every evidence style, internal links, one table
and one fenced code block per report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --- Vocabulary ---------------------------------------------------------------------------

TOPICS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("grain-corridor", "Grain corridor", ("grain corridor", "grain ships", "grain exports")),
    ("maritime-security", "Maritime security", ("maritime security", "coast guard", "naval")),
    ("sanctions", "Sanctions", ("sanctions", "asset freeze", "export controls")),
    ("prisoner-exchange", "Prisoner exchange", ("prisoner exchange", "detainees", "prisoners")),
    ("energy-transit", "Energy transit", ("gas transit", "pipeline", "interconnector")),
    ("arms-control", "Arms control", ("arms control", "missile deployments", "exercises")),
    ("cyber-security", "Cyber security", ("cyber attacks", "cyber security", "ransomware")),
    ("election-observation", "Election observation", ("election observers", "elections")),
    ("minority-rights", "Minority rights", ("minority rights", "minority schools")),
    ("border-demarcation", "Border demarcation", ("border demarcation", "border commission")),
    ("water-sharing", "Water sharing", ("water sharing", "river basin", "dam releases")),
    ("fisheries", "Fisheries", ("fisheries", "fishing quotas", "trawlers")),
    ("visa-regime", "Visa regime", ("visa regime", "visa-free travel", "work permits")),
    ("trade-tariffs", "Trade tariffs", ("tariffs", "trade barriers", "customs duties")),
    ("debt-relief", "Debt relief", ("debt relief", "sovereign debt", "loan rescheduling")),
    ("refugees", "Refugees", ("refugees", "asylum seekers", "displaced people")),
    ("climate-adaptation", "Climate adaptation", ("climate adaptation", "flood defences")),
    ("nuclear-safety", "Nuclear safety", ("nuclear safety", "reactor", "spent fuel")),
    ("space-cooperation", "Space cooperation", ("satellite launches", "space agency")),
    ("health-security", "Health security", ("health security", "vaccines", "pandemic")),
    ("critical-minerals", "Critical minerals", ("critical minerals", "rare earths", "lithium")),
    ("rail-links", "Rail links", ("rail link", "railway", "freight trains")),
    ("airspace", "Airspace", ("airspace", "overflight rights", "air corridor")),
    ("customs-union", "Customs union", ("customs union", "single tariff", "border checks")),
    ("ceasefire-monitoring", "Ceasefire monitoring", ("ceasefire", "monitoring mission")),
    ("demining", "Demining", ("demining", "landmines", "unexploded ordnance")),
    ("media-freedom", "Media freedom", ("media freedom", "journalists", "broadcasters")),
    ("judicial-reform", "Judicial reform", ("judicial reform", "constitutional court")),
    ("anti-corruption", "Anti-corruption", ("anti-corruption", "corruption", "money laundering")),
    ("organised-crime", "Organised crime", ("organised crime", "smuggling", "trafficking")),
    ("counter-terrorism", "Counter-terrorism", ("counter-terrorism", "extremist networks")),
    ("arctic-shipping", "Arctic shipping", ("Arctic shipping", "icebreakers", "polar route")),
    ("data-flows", "Data flows", ("data flows", "data localisation", "undersea cables")),
    ("semiconductors", "Semiconductors", ("semiconductors", "chip plants", "microchips")),
    ("food-security", "Food security", ("food security", "fertiliser", "grain reserves")),
    ("humanitarian-access", "Humanitarian access", ("humanitarian access", "aid convoys")),
    ("peacekeeping", "Peacekeeping", ("peacekeeping", "peacekeepers", "blue helmets")),
    ("port-access", "Port access", ("port access", "harbour fees", "port calls")),
    ("hydropower", "Hydropower", ("hydropower", "power plant", "turbines")),
    ("cultural-heritage", "Cultural heritage", ("cultural heritage", "museum", "monuments")),
)
"""(key, label, aliases) of the 40 topics."""

ISO_CODES: tuple[str, ...] = (
    "AA",
    *(f"Q{c}" for c in "MNOPQRSTUVWXYZ"),
    *(f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "ZZ",
    # Transitionally reserved codes of states that no longer exist: no current state uses them.
    *("AN", "BU", "CS", "NT", "SF", "TP", "YU", "ZR"),
)
"""50 ISO 3166-1 alpha-2 codes that no current state has (user-assigned or withdrawn)."""

SYLLABLES = (
    "ka ver lo min tar sel dor vi na rus bel ost fen gal ri mar tov zel hal sun pra lek dan "
    "ol ur esk ber nor sud wes kal tam ire sto vel dra mon"
).split()
STATE_SUFFIXES = ("ia", "land", "ova", "ar", "mark", "onia", "ery", "avia")
CAPITAL_SUFFIXES = ("", "burg", "holm", "port", "ov", "a", "stad", "en")
FIRST_NAMES = (
    "Alda Tomas Ilse Petra Jonas Dario Edvin Oren Rhea Mira Lev Anja Kasimir Noor Teodor Sela "
    "Ivo Greta Marek Lina Otto Vesna Arvid Dunja Emil Kaja Henrik Zora Pavel Elin Ruben Maja "
    "Stellan Ines Bruno Livia Aksel Nadia Fenna Cyril"
).split()
REGIONS = (
    "Vell Sea",
    "Northern Rim",
    "Amber Coast",
    "Eastern Steppe",
    "Southern Lakes",
    "Iron Gate",
)
BUILDINGS = (
    "Congress Hall",
    "Harbour Pavilion",
    "Old Customs House",
    "Foreign Ministry",
    "Presidential Palace",
    "Conference Centre",
    "Lakeside Residence",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()
TAGS = ("first-take", "analysis", "bilateral", "multilateral", "security", "economy", "rights")

# --- The world ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    key: str
    name: str
    iso: str
    capital: str


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    surname: str
    state: State | None
    title: str
    short: str


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    acronym: str
    head: str


@dataclass(frozen=True)
class Venue:
    key: str
    name: str
    series: str
    org: Org
    locality: State


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    kind: str
    date: dt.date


@dataclass
class World:
    states: list[State]
    people: list[Person]
    orgs: list[Org]
    venues: list[Venue]
    shared: list[Source]
    authors: list[str]


@dataclass
class Encounter:
    id: str
    name: str
    kind: str
    start: dt.date
    end: dt.date | None
    venue: Venue | None
    place: tuple[str, State] | None
    participants: list[Person]
    direct_contact: bool
    duration: str | None
    sources: list[Source]
    topics: list[str]
    slugs: list[str] = field(default_factory=list)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def unique_names(
    rng: random.Random, count: int, make: Callable[[random.Random], str], taken: set[str]
) -> list[str]:
    """``count`` names from ``make(rng)`` that are not in ``taken`` (which is updated)."""
    names: list[str] = []
    while len(names) < count:
        name = make(rng)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def word(rng: random.Random, parts: int, suffixes: Sequence[str]) -> str:
    """A pronounceable made-up word."""
    stem = "".join(rng.choice(SYLLABLES) for _ in range(parts))
    return (stem + rng.choice(suffixes)).capitalize()


def make_states(rng: random.Random, taken: set[str]) -> list[State]:
    names = unique_names(rng, len(ISO_CODES), lambda r: word(r, 2, STATE_SUFFIXES), taken)
    capitals = unique_names(rng, len(ISO_CODES), lambda r: word(r, 2, CAPITAL_SUFFIXES), taken)
    return [
        State(slugify(name), name, iso, capital)
        for name, iso, capital in zip(names, ISO_CODES, capitals, strict=True)
    ]


def make_people(rng: random.Random, states: list[State], taken: set[str]) -> list[Person]:
    offices = (
        ("President of {}", "President"),
        ("Minister of Foreign Affairs of {}", "Minister"),
        ("Deputy Foreign Minister of {}", "Deputy Minister"),
    )
    surnames = unique_names(rng, 3 * len(states), lambda r: word(r, 2, ("", "en", "a")), taken)
    people: list[Person] = []
    for index, surname in enumerate(surnames):
        state = states[index // 3]
        title, short = offices[index % 3]
        name = f"{rng.choice(FIRST_NAMES)} {surname}"
        people.append(Person(slugify(name), name, surname, state, title.format(state.name), short))
    return people


def make_orgs(rng: random.Random, taken: set[str]) -> tuple[list[Org], list[Person]]:
    orgs: list[Org] = []
    heads: list[Person] = []
    kinds = ("Council for Security and Co-operation", "Economic Forum", "Partnership")
    surnames = unique_names(rng, len(REGIONS), lambda r: word(r, 2, ("", "is")), taken)
    for index, region in enumerate(REGIONS):
        name = f"{region} {kinds[index % len(kinds)]}"
        acronym = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())
        head = f"{rng.choice(FIRST_NAMES)} {surnames[index]}"
        orgs.append(Org(acronym.lower() + f"-{index}", name, acronym, slugify(head)))
        title = f"Secretary General of the {name}"
        heads.append(Person(slugify(head), head, surnames[index], None, title, "Secretary General"))
    return orgs, heads


def make_venues(rng: random.Random, orgs: list[Org], states: list[State]) -> list[Venue]:
    venues: list[Venue] = []
    for org in orgs:
        for series in ("Ministerial Council", "Summit"):
            name = f"{org.acronym} {series}"
            venues.append(Venue(slugify(name), name, name, org, rng.choice(states)))
    return venues


def publishers(state: State) -> list[tuple[str, str]]:
    """(publisher, kind) pairs that write about a state."""
    return [
        (f"Ministry of Foreign Affairs of {state.name}", "readout"),
        (f"Office of the President of {state.name}", "official"),
        (f"The {state.capital} Daily", "press"),
        (f"{state.name} State Broadcasting", "transcript"),
    ]


WIRES = (("Northwire", "wire"), ("Meridian Press Agency", "wire"), ("Rimline", "wire"))
THINK_TANKS = (("Institute for Vell Sea Studies", "analysis"), ("Steppe Policy Centre", "analysis"))


def make_shared(rng: random.Random, count: int = 50) -> list[Source]:
    sources: list[Source] = []
    for index in range(count):
        publisher, kind = rng.choice(WIRES + THINK_TANKS)
        _, label, _ = rng.choice(TOPICS)
        date = dt.date(2018, 6, 1) + dt.timedelta(days=rng.randrange(2500))
        title = f"{rng.choice(('Explainer', 'Briefing', 'Data'))}: {label.lower()} in {date.year}"
        sources.append(
            Source(f"shared-{slugify(publisher)}-{index:02d}", title, publisher, kind, date)
        )
    return sources


def make_world(rng: random.Random) -> World:
    taken: set[str] = set()
    states = make_states(rng, taken)
    people = make_people(rng, states, taken)
    orgs, heads = make_orgs(rng, taken)
    venues = make_venues(rng, orgs, states)
    authors = ["desk", *(slugify(f"{n} {word(rng, 2, ('',))}") for n in FIRST_NAMES[:5])]
    return World(states, people + heads, orgs, venues, make_shared(rng), authors)


# --- Encounters -----------------------------------------------------------------------------

KINDS = (
    ("bilateral", 2, 0.22),
    ("pull-aside", 2, 0.15),
    ("call", 2, 0.15),
    ("co-attendance", 4, 0.15),
    ("summit", 5, 0.13),
    ("trilateral", 3, 0.10),
    ("working-dinner", 2, 0.10),
)
"""(kind, number of participants, share)."""

FIRST_DAY = dt.date(2019, 1, 7)
SPAN_DAYS = 6 * 365 + 120
"""Encounters start between January 2019 and spring 2025."""


def pick_participants(rng: random.Random, world: World, kind: str, count: int) -> list[Person]:
    """People of ``count`` different states; a secretary general joins multilateral kinds."""
    states = rng.sample(world.states, count)
    office = 0 if kind == "summit" else 1
    by_state = {p.state.key: p for p in world.people[office::3] if p.state is not None}
    chosen = [by_state[s.key] for s in states]
    if kind in ("summit", "co-attendance"):
        chosen.append(rng.choice([p for p in world.people if p.state is None]))
    return chosen


def encounter_name(kind: str, people: list[Person], venue: Venue | None, year: int) -> str:
    pair = "–".join(p.surname for p in people[:2])
    names = {
        "bilateral": f"{pair} bilateral meeting",
        "pull-aside": f"{pair} pull-aside",
        "call": f"{pair} telephone call",
        "trilateral": f"{'–'.join(p.surname for p in people[:3])} trilateral meeting",
        "working-dinner": f"{pair} working dinner",
    }
    if kind in names:
        return names[kind]
    return f"{venue.name if venue else 'Leaders’ meeting'} {year}"


def encounter_sources(rng: random.Random, people: list[Person], day: dt.date) -> list[Source]:
    sources: list[Source] = []
    for person in people[: rng.choice((1, 2))]:
        assert person.state is not None
        publisher = publishers(person.state)[0][0]
        sid = f"{slugify(person.state.name)}-readout-{day.isoformat()}-{slugify(person.surname)}"
        title = f"{person.title} on the {day.day} {MONTHS[day.month - 1]} encounter"
        sources.append(Source(sid, title, publisher, "readout", day))
    return sources


def make_encounter(rng: random.Random, world: World, number: int) -> Encounter:
    kind, count, _ = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
    people = pick_participants(rng, world, kind, count)
    start = FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))
    multi_day = kind in ("summit", "co-attendance")
    end = start + dt.timedelta(days=rng.randint(1, 2)) if multi_day else None
    venue = (
        rng.choice(world.venues) if kind not in ("bilateral", "call", "working-dinner") else None
    )
    host = venue.locality if venue else people[0].state
    assert host is not None
    place = None if kind == "call" else (rng.choice(BUILDINGS), host)
    direct = kind != "co-attendance"
    sources = encounter_sources(rng, people, start)
    duration = None
    if direct and kind in ("pull-aside", "call", "working-dinner") and rng.random() < 0.6:
        duration = f"about {rng.choice((15, 20, 30, 40, 45, 60, 90))} minutes"
    eid = f"{slugify(kind)}-{slugify(people[0].surname)}-{start:%Y-%m}-{number:04d}"
    topics = [t[0] for t in rng.sample(TOPICS, 3)]
    name = encounter_name(kind, people, venue, start.year)
    return Encounter(
        eid, name, kind, start, end, venue, place, people, direct, duration, sources, topics
    )


def plan_encounters(rng: random.Random, world: World, reports: int) -> list[Encounter]:
    """``reports // 2`` encounters (at least one), each with one to three report slugs."""
    count = max(1, reports // 2)
    encounters = [make_encounter(rng, world, i) for i in range(count)]
    sizes = [1] * count
    spare = reports - count
    while spare > 0:
        index = rng.randrange(count)
        if sizes[index] < 3:
            sizes[index] += 1
            spare -= 1
    suffixes = ("first-take", "analysis", "follow-up")
    for encounter, size in zip(encounters, sizes, strict=True):
        encounter.slugs = [f"{encounter.id}-{suffixes[i]}" for i in range(size)]
    return encounters


# --- YAML ---------------------------------------------------------------------------------


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def site_yaml(world: World) -> str:
    authors = "\n".join(
        f"  {key}: {{name: {q(key.replace('-', ' ').title())}}}" for key in world.authors
    )
    return (
        "# BENCHMARK DATA generated by bench/generate.py: every state, person, source and\n"
        "# event is fictional. Country codes are user-assigned or withdrawn ISO codes.\n"
        "title: Benchmark Digest (synthetic)\n"
        "description: Synthetic reports for measuring osce-digest. Not news.\n"
        'base_url: "https://bench.example/"\n'
        "language: en\ntimezone: UTC\nscale: icd203\n"
        f"authors:\n{authors}\n"
        "section_aliases:\n  Where they clashed: disagreements\n  What to watch: outlook\n"
    )


def topics_yaml() -> str:
    entries = [
        f"- key: {key}\n  label: {q(label)}\n  aliases: [{', '.join(q(a) for a in aliases)}]\n"
        f"  description: {q(f'{label} between the fictional states of the benchmark.')}\n"
        for key, label, aliases in TOPICS
    ]
    return "# BENCHMARK DATA (fictional).\n\n" + "\n".join(entries)


def actor_entry(key: str, name: str, kind: str, iso: str | None, aliases: list[str]) -> str:
    return (
        f"- key: {key}\n  name: {q(name)}\n  kind: {kind}\n  country: {iso or 'null'}\n"
        f"  aliases: [{', '.join(q(a) for a in aliases)}]\n"
    )


def person_entry(rng: random.Random, person: Person) -> str:
    iso = person.state.iso if person.state else None
    aliases = [person.surname, f"{person.short} {person.surname}"]
    start = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(1800))
    roles = f"    - {{title: {q(person.title)}, start: {start}, end: null}}\n"
    if person.short == "Minister" and rng.random() < 0.3:
        earlier = person.title.replace("Minister of Foreign Affairs", "Deputy Foreign Minister")
        before = start - dt.timedelta(days=1)
        first = start - dt.timedelta(days=rng.randint(400, 1500))
        roles = f"    - {{title: {q(earlier)}, start: {first}, end: {before}}}\n" + roles
    return (
        actor_entry(person.key, person.name, "person", iso, aliases)
        + f"  roles:\n{roles}  wikidata: null\n"
    )


def actors_yaml(rng: random.Random, world: World) -> str:
    people = [person_entry(rng, p) for p in world.people]
    states = [
        actor_entry(s.key, s.name, "state", s.iso, [f"Republic of {s.name}", s.capital])
        + "  roles: []\n  wikidata: null\n"
        for s in world.states
    ]
    orgs = [
        actor_entry(o.key, o.name, "organization", None, [o.acronym]) + "  roles: []\n"
        for o in world.orgs
    ]
    return (
        "# BENCHMARK DATA (fictional).\n\n# --- People\n\n"
        + "\n".join(people)
        + "\n# --- States\n\n"
        + "\n".join(states)
        + "\n# --- Organisations\n\n"
        + "\n".join(orgs)
    )


def venues_yaml(world: World) -> str:
    entries = [
        f"- key: {v.key}\n  name: {q(v.name)}\n  series: {q(v.series)}\n"
        f"  organization: {v.org.key}\n"
        f"  description: {q(f'The {v.series.lower()} of the {v.org.name} (fictional).')}\n"
        for v in world.venues
    ]
    return "# BENCHMARK DATA (fictional).\n\n" + "\n".join(entries)


def source_entry(source: Source, indent: str) -> str:
    url = f"https://bench.example/sources/{source.id}"
    return (
        f"{indent}- id: {source.id}\n{indent}  title: {q(source.title)}\n"
        f"{indent}  publisher: {q(source.publisher)}\n{indent}  kind: {source.kind}\n"
        f"{indent}  date: {source.date}\n{indent}  url: {url}\n"
    )


def sources_yaml(world: World) -> str:
    entries = [source_entry(s, "") for s in world.shared]
    return "# BENCHMARK DATA (fictional).\n\n" + "\n".join(entries)


# --- Reports ------------------------------------------------------------------------------

CONFIRMED = (
    "{s} has suspended {t} twice since {month}.",
    "The final communiqué devotes {n} paragraphs to {t}.",
    "{p} arrived in {c} with a delegation of {n} officials.",
    "Officials from {s} and {s2} exchanged draft texts on {t} before the session.",
    "The two governments last signed an agreement on {t} in {year}.",
    "{s} published its position paper on {t} a week before the encounter.",
    "Trade between {s} and {s2} linked to {t} fell by {n} per cent last year.",
)
REPORTED = (
    "{p} said {s} would not accept any deal on {t} that ignored {t2}.",
    "According to a diplomat from {s2}, {t} took up most of the first session.",
    "{ps} told reporters that the exchange on {t} had been “frank and long”.",
    "{s} reportedly offered to host a follow-up round on {t} in {c}.",
    "A spokesperson for {s2} described the discussion of {t} as “useful but incomplete”.",
    "{ps} warned that {t} would not wait for another season, the readout stated.",
)
ASSESSED = (
    "{s} is likely to raise {t} again at the next round, given the tone of the readout.",
    "A settlement on {t} before the end of {year} is very unlikely because {s2} ties it to {t2}.",
    "{s2} will almost certainly keep {t} off the public agenda.",
    "A joint statement on {t} is a roughly even chance, given the drafts already exchanged.",
    "It is unlikely that {c} will move on {t} without a parallel step on {t2}.",
    "{ps} very likely wanted a concession on {t} to show at home.",
)
SPECULATIVE = (
    "{s} may be preparing a new offer on {t}.",
    "Perhaps the delegations could revisit {t} at expert level in {c}.",
    "It is hoped in {c} that {t} will move faster after the encounter.",
    "{ps} might use {t} as leverage on {t2}.",
    "Presumably {s2} will wait for its parliament before it commits on {t}.",
    "The offer on {t} is possibly a signal to {s2}.",
)
UNSOURCED = (
    "{s} has long treated {t} as a domestic matter.",
    "The two delegations sat at opposite ends of the table in {c}.",
    "{T} has divided {s} and {s2} since the {year} treaty.",
    "Public opinion in {s} is sceptical about {t}.",
    "{ps} has made {t} a personal priority.",
    "Neither capital wants to be seen giving ground on {t}.",
)
POSITIONS = (
    "{c} wants {t} settled on its own terms, {ps} said.",
    "{s} insists that {t} is a matter for its own courts and its own {t2}.",
    "{c} regards {t} as non-negotiable and will very likely block any text on {t2}.",
    "The government proposes joint monitoring of {t} under international observation.",
    "{s} wants {t2} dealt with first, and {t} only afterwards.",
)
STYLES = {
    "confirmed": (CONFIRMED, 1.0),
    "reported": (REPORTED, 0.6),
    "assessed": (ASSESSED, 0.35),
    "speculative": (SPECULATIVE, 0.0),
    "unsourced": (UNSOURCED, 0.0),
}
"""Evidence style: (templates, share of sentences that carry a citation)."""

HEADINGS: dict[str, tuple[str, ...]] = {
    "context": ("Context {#context}", "Background", "How we got here {#context}", "Context"),
    "agenda": (
        "What was on the agenda? {#agenda}",
        "What was on the agenda?",
        "On the table {#agenda}",
        "Agenda",
    ),
    "moments": (
        "Key moments",
        "Key moments {#moments}",
        "Takeaways",
        "The turning points {#moments}",
    ),
    "disagreements": (
        "Areas of disagreement",
        "Disagreements {#disagreements}",
        "Where they clashed",
        "Points of friction {#disagreements}",
    ),
    "cooperation": (
        "Potential areas of cooperation",
        "Cooperation {#cooperation}",
        "Common ground",
        "Areas of co-operation",
    ),
    "implications": ("Broader implications", "Implications {#implications}", "Consequences"),
    "outlook": ("Looking ahead", "Outlook {#outlook}", "What to watch", "Conclusion"),
}
MOMENT_TITLES = (
    "The opening statement",
    "The walk-out",
    "The handshake",
    "The press conference",
    "The closing communiqué",
    "A late-night session",
    "The empty chair",
)


@dataclass
class Writer:
    """Everything one report's text draws on, and the state of its citations and anchors."""

    rng: random.Random
    world: World
    encounter: Encounter
    slug: str
    sources: list[Source]
    topics: list[str]
    anchors: set[str] = field(default_factory=set)
    cursor: int = 0

    @property
    def parties(self) -> list[State]:
        return [p.state for p in self.encounter.participants if p.state is not None]

    def cite(self) -> str:
        """The next listed source in turn (so that each is cited), then any, or a shared one."""
        if self.cursor < len(self.sources):
            source = self.sources[self.cursor]
            self.cursor += 1
        elif self.rng.random() < 0.15:
            source = self.rng.choice(self.world.shared)
        else:
            source = self.rng.choice(self.sources)
        return f"[^{source.id}]"

    def alias(self, key: str) -> str:
        entry = next(t for t in TOPICS if t[0] == key)
        return self.rng.choice(entry[2])

    def fill(self, template: str, topic: str, party: State | None = None) -> str:
        rng = self.rng
        first, second = rng.sample(self.parties, 2)
        if party is not None:
            first = party
            second = next(s for s in self.parties if s != party)
        person = rng.choice(self.encounter.participants)
        other = rng.choice([t for t in self.topics if t != topic])
        alias = self.alias(topic)
        month = rng.choice([m for m in MONTHS if m != "May"])
        values = {
            "s": first.name,
            "s2": second.name,
            "c": first.capital,
            "p": person.name,
            "ps": person.surname,
            "t": alias,
            "T": alias[0].upper() + alias[1:],
            "t2": self.alias(other),
            "n": str(rng.randint(2, 40)),
            "year": str(self.encounter.start.year - rng.randint(0, 6)),
            "month": month,
        }
        return template.format(**values)

    def sentence(self, style: str, topic: str) -> str:
        templates, cited = STYLES[style]
        text = self.fill(self.rng.choice(templates), topic)
        if self.rng.random() < cited:
            text += self.cite()
        return text

    def paragraph(self, topic: str, count: int) -> str:
        styles = self.rng.choices(list(STYLES), weights=(4, 3, 2, 2, 2), k=count)
        return " ".join(self.sentence(style, topic) for style in styles)

    def anchor(self, title: str) -> str:
        base = slugify(title)
        anchor, n = base, 2
        while anchor in self.anchors:
            anchor, n = f"{base}-{n}", n + 1
        self.anchors.add(anchor)
        return anchor

    def item(self, title: str, topics: list[str], *, evidence: bool = False) -> str:
        attrs = [f"#{self.anchor(title)}", f'topics="{" ".join(topics)}"']
        if evidence:
            attrs.append('evidence="assessed"')
        if self.rng.random() < 0.15:
            attrs.append(f'sources="{self.rng.choice(self.sources).id}"')
        return f"### {title} {{{' '.join(attrs)}}}"


def topic_label(key: str) -> str:
    return next(t[1] for t in TOPICS if t[0] == key)


def heading(w: Writer, kind: str) -> str:
    """A ``##`` heading for a section kind; its anchor is reserved so no item reuses it."""
    text = w.rng.choice(HEADINGS[kind])
    explicit = re.search(r"\{#([a-z]+)\}", text)
    w.anchor(explicit.group(1) if explicit else text)
    return f"## {text}"


def dated(day: dt.date) -> str:
    """A date as prose; May is written as a season, since "may" is a hedge word."""
    if day.month == 5:
        return f"in late spring {day.year}"
    return f"on {day.day} {MONTHS[day.month - 1]} {day.year}"


def lede(w: Writer) -> list[str]:
    e = w.encounter
    people = " and ".join(p.name for p in e.participants[:2])
    where = f" in {e.place[1].capital}" if e.place else ""
    verb = {"call": "spoke by telephone", "co-attendance": "attended the same sessions"}
    opening = f"{people} {verb.get(e.kind, 'met')}{where} {dated(e.start)}.{w.cite()}"
    links = [
        f"[{topic_label(e.topics[0])}](/topics/{e.topics[0]}/)",
        f"[{e.participants[0].name}](/actors/{e.participants[0].key}/)",
    ]
    if e.venue:
        links.append(f"[{e.venue.name}](/venues/{e.venue.key}/)")
    if e.participants[1].state:
        state = e.participants[1].state
        links.append(f"[{state.name}](/countries/{state.iso.lower()}/)")
    follow = f"See also {', '.join(links)}."
    if w.slug != e.slugs[0]:  # the first report of an encounter is never a draft
        follow += f" An [earlier report](/reports/{e.slugs[0]}/) covers the same encounter."
    return [f"{opening} {w.paragraph(e.topics[0], 2)}", follow]


def table(w: Writer, topic: str) -> str:
    year = w.encounter.start.year
    rows = [
        f"| {w.alias(topic).capitalize()} ({unit}) | {w.rng.randint(10, 900)} | "
        f"{w.rng.randint(10, 900)} |"
        for unit in ("units", "million", "per cent")
    ]
    intro = f"The published figures show the trend.{w.cite()}"
    head = f"| Indicator | {year - 1} | {year} |\n|---|---:|---:|"
    return intro + "\n\n" + head + "\n" + "\n".join(rows)


def code_block(w: Writer, topic: str) -> str:
    lines = [
        "The Parties take note of the discussion on " + w.alias(topic) + " and agree",
        "to continue consultations at expert level before the next meeting.",
    ]
    if w.rng.random() < 0.3:
        body = json.dumps({"paragraph": w.rng.randint(3, 30), "text": " ".join(lines)}, indent=2)
        return f"The record of the paragraph, as published:{w.cite()}\n\n```json\n{body}\n```"
    text = "\n".join(lines)
    return f"The paragraph of the statement reads:{w.cite()}\n\n```text\n{text}\n```"


def items(w: Writer, count: int, titles: Iterator[tuple[str, list[str]]], length: int) -> list[str]:
    out: list[str] = []
    for _ in range(count):
        title, topics = next(titles)
        out += [
            w.item(title, topics),
            w.paragraph(topics[0], w.rng.randint(length - 1, length + 1)),
        ]
    return out


def topic_titles(w: Writer, pattern: str) -> Iterator[tuple[str, list[str]]]:
    while True:
        pair = w.rng.sample(w.topics, 2)
        topics = pair if w.rng.random() < 0.3 else pair[:1]
        yield pattern.format(label=topic_label(topics[0]), alias=w.alias(topics[0])), topics


def agenda(w: Writer) -> list[str]:
    out = [heading(w, "agenda")]
    out += items(w, w.rng.randint(2, 4), topic_titles(w, "{label}"), 6)
    return [*out, table(w, w.topics[0])]


def moments(w: Writer) -> list[str]:
    out = [heading(w, "moments")]
    titles = iter((t, [w.rng.choice(w.topics)]) for t in w.rng.sample(MOMENT_TITLES, 3))
    out += items(w, w.rng.randint(1, 3), titles, 5)
    return [*out, code_block(w, w.topics[1])]


def disagreements(w: Writer) -> list[str]:
    out = [heading(w, "disagreements"), w.paragraph(w.topics[0], 1)]
    titles = topic_titles(w, "Who decides on {alias}")
    for _ in range(w.rng.randint(2, 4)):
        title, topics = next(titles)
        out.append(w.item(title, topics))
        for state in w.rng.sample(w.parties, 2):
            position = w.fill(w.rng.choice(POSITIONS), topics[0], state)
            cite = w.cite() if w.rng.random() < 0.7 else ""
            extra = f" {w.sentence('unsourced', topics[0])}" if w.rng.random() < 0.8 else ""
            out.append(f"**{state.name}:** {position}{cite}{extra}")
    return out


def cooperation(w: Writer) -> list[str]:
    out = [heading(w, "cooperation")]
    titles = topic_titles(w, "A working group on {alias}")
    return out + items(w, w.rng.randint(2, 3), titles, 5)


def prose_section(w: Writer, kind: str, sentences: int) -> list[str]:
    topic = w.rng.choice(w.topics)
    out = [heading(w, kind), w.paragraph(topic, sentences)]
    if kind == "implications":
        out += [w.item(f"For the {topic_label(topic).lower()} file", [topic], evidence=True)]
        out.append(w.paragraph(topic, 3))
    return out


def report_body(w: Writer) -> str:
    blocks = lede(w)
    blocks += prose_section(w, "context", 7)
    blocks += agenda(w) + moments(w) + disagreements(w) + cooperation(w)
    blocks += prose_section(w, "implications", 5) + prose_section(w, "outlook", 4)
    return "\n\n".join(blocks) + "\n"


def report_sources(rng: random.Random, e: Encounter, serial: int) -> list[Source]:
    own: list[Source] = []
    for index in range(rng.randint(2, 4)):
        person = rng.choice([p for p in e.participants if p.state is not None])
        assert person.state is not None
        publisher, kind = rng.choice(publishers(person.state) + list(WIRES))
        day = e.start + dt.timedelta(days=rng.randint(0, 4))
        title = f"{person.name} and the {topic_label(rng.choice(e.topics)).lower()} question"
        sid = f"{slugify(publisher)[:20].strip('-')}-{day}-{serial}-{index}"
        own.append(Source(sid, title, publisher, kind, day))
    return e.sources + own


def encounter_yaml(e: Encounter) -> str:
    lines = [
        f"  id: {e.id}",
        f"  name: {q(e.name)}",
        f"  start: {e.start}",
        *([f"  end: {e.end}"] if e.end else []),
        *([f"  venue: {e.venue.key}"] if e.venue else []),
    ]
    if e.place:
        building, state = e.place
        lines.append(
            f"  place: {{name: {q(building)}, locality: {q(state.capital)}, country: {state.iso}}}"
        )
    lines += [
        f"  participants: [{', '.join(p.key for p in e.participants)}]",
        f"  kind: {e.kind}",
        f"  direct_contact: {'true' if e.direct_contact else 'false'}",
        *([f"  duration: {q(e.duration)}"] if e.duration else []),
        f"  sources: [{', '.join(s.id for s in e.sources)}]",
    ]
    return "\n".join(lines)


def front_matter(w: Writer, ordinal: int) -> str:
    e, rng = w.encounter, w.rng
    last = e.end or e.start
    date = last + dt.timedelta(days=rng.randint(1, 4) + 9 * ordinal)
    people = " and ".join(p.surname for p in e.participants[:2])
    title = f"{people} on {topic_label(e.topics[0])} and {topic_label(e.topics[1]).lower()}"
    dek = f"{e.name}, {('a first take', 'an analysis', 'a follow-up')[ordinal]}"
    draft = ordinal > 0 and ordinal == len(e.slugs) - 1 and rng.random() < 0.03
    lines = [
        "---",
        f"title: {q(title)}",
        f"dek: {q(dek)}",
        f"date: {date}",
        *([f"updated: {date + dt.timedelta(days=2)}"] if rng.random() < 0.2 else []),
        f"authors: [{', '.join(rng.sample(w.world.authors, rng.randint(1, 2)))}]",
        f"summary: {q(w.fill(rng.choice(UNSOURCED), e.topics[0]))}",
        f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]",
        f"draft: {'true' if draft else 'false'}",
        "encounter:",
        encounter_yaml(e),
        "sources:",
        "".join(source_entry(s, "  ") for s in w.sources).rstrip("\n"),
    ]
    if rng.random() < 0.05:
        lines.append("checks: {unsourced-claim: off}")
    if rng.random() < 0.1:
        lines.append(f"extra: {{desk_note: {q('Synthetic benchmark report.')}}}")
    return "\n".join([*lines, "---", ""])


def write_report(rng: random.Random, world: World, e: Encounter, ordinal: int, serial: int) -> str:
    slug = e.slugs[ordinal]
    topics = e.topics + [t[0] for t in rng.sample(TOPICS, 3) if t[0] not in e.topics]
    w = Writer(rng, world, e, slug, report_sources(rng, e, serial), topics)
    body = report_body(w)
    return front_matter(w, ordinal) + "\n" + body


# --- Driver -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    reports: int
    encounters: int
    mean_bytes: float
    min_bytes: int
    max_bytes: int


def write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def generate(out: Path, reports: int, seed: int) -> Stats:
    """Write a project of ``reports`` reports into ``out``, whose content/ must not exist."""
    content = out / "content"
    if content.exists():
        raise FileExistsError(f"{content} already exists; choose an empty --out")
    rng = random.Random(seed)
    world = make_world(rng)
    encounters = plan_encounters(rng, world, reports)
    write(content / "site.yaml", site_yaml(world))
    write(content / "topics.yaml", topics_yaml())
    write(content / "actors.yaml", actors_yaml(rng, world))
    write(content / "venues.yaml", venues_yaml(world))
    write(content / "sources.yaml", sources_yaml(world))
    jobs = [(e, i) for e in encounters for i in range(len(e.slugs))]
    sizes = [
        write(content / "reports" / f"{e.slugs[i]}.md", write_report(rng, world, e, i, serial))
        for serial, (e, i) in enumerate(jobs)
    ]
    return Stats(len(sizes), len(encounters), sum(sizes) / len(sizes), min(sizes), max(sizes))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000, help="number of reports")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--out", type=Path, required=True, help="project folder to create")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be at least 1")
    try:
        stats = generate(args.out, args.reports, args.seed)
    except FileExistsError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {stats.reports} reports about {stats.encounters} encounters to {args.out}; "
        f"report size mean {stats.mean_bytes / 1024:.1f} KiB "
        f"(min {stats.min_bytes / 1024:.1f}, max {stats.max_bytes / 1024:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
