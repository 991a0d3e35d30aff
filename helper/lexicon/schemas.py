"""Schemas of the lexicon files: a misspelled key, a wrong type or an unknown macro fails
when the file is loaded, naming the file and the key, not at request time."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from helper.text.patterns import expand_macros


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# --- behaviors.yaml --------------------------------------------------------------------------


class Blame(Strict):
    verbs: list[str]
    feeling: str | None = None
    need: str | None = None
    request: str | None = None
    situation: str | None = None
    situations: list[Any] | None = None
    gentle: str | None = None
    gentles: list[Any] | None = None


class BehaviourTopic(Strict):
    match: str
    feeling: str
    need: str
    request: str
    situation: str | None = None
    gentle: str | None = None


class Behaviors(Strict):
    blame: list[Blame]
    topics: list[BehaviourTopic]


# --- insults.yaml ------------------------------------------------------------------------------


class InsultGroup(Strict):
    words: list[str]
    names: list[str]
    about_you: list[str]
    feeling: str
    need: str
    request: str
    gentle: str
    neutral: str
    retell: bool = False


class Insults(Strict):
    groups: dict[str, InsultGroup]
    fillers: list[str]


# --- openers.yaml ------------------------------------------------------------------------------


class OpenerShape(Strict):
    kind: str
    patterns: list[str]
    about: str
    feel: str
    want: str
    ritual: str
    ask: str
    side: str
    past: dict[str, Any] | None = None


class Technique(Strict):
    name: str
    find: str
    cue: str
    suits: list[str]
    fits: dict[str, Any]
    say: dict[str, Any]
    core: bool = False


class Tip(Strict):
    name: str
    advice: str  # the tip in the helper's own words; the guidance's sentence is its citation
    find: str
    cue: str
    fits: dict[str, Any]


class Openers(Strict):
    lead_ins: list[str]
    partner_nouns: list[str]
    not_after_possessive: list[str]
    agreement: dict[str, str]
    drop: str
    soften: dict[str, str]
    people: list[str]
    manner_verbs: list[str]
    implied_objects: dict[str, str]
    reciprocal_verbs: list[str]
    desire_verbs: list[str]
    together_verbs: dict[str, str]
    needs: dict[str, str]
    needs_default: str
    feeling_words: list[str]
    shapes: list[OpenerShape]
    general: dict[str, str]
    topic_stopwords: list[str]
    techniques: list[Technique]
    tips: list[Tip]


# --- patterns.yaml -----------------------------------------------------------------------------


class FindingRule(Strict):
    kind: str
    why: str
    patterns: list[str]
    polarity: bool = False
    # counts only in a draft that speaks to the partner (a "you" word anywhere in it) or that
    # is nothing but the match ("Ugh.")
    addressed: bool = False


class Patterns(Strict):
    macros: dict[str, str]
    polarity: dict[str, str]
    findings: list[FindingRule]
    absolutes: dict[str, str]
    context_sarcasm: dict[str, str]
    shouting: dict[str, int | str]
    insult_why: dict[str, str]
    profanity_why: str
    blame_why: str


# --- phrasings.yaml ----------------------------------------------------------------------------


class PhrasingShape(Strict):
    feeling: str
    request: str
    gentle: str
    situation: str | None = None
    need: str | None = None


class Cue(Strict):
    match: str
    feeling: str
    need: str


class Phrasings(Strict):
    shapes: dict[str, PhrasingShape]
    compose: dict[str, str]
    shutdown: dict[str, str]
    cues: list[Cue]
    soften_phrases: list[Any]
    soften_similes: list[Any]
    soften_absolutes: list[Any]
    typos: dict[str, str]
    youre_before: list[str]
    its_before: list[str]
    phrase_breaks: list[str]
    object_preps: list[str]
    particles: list[str]
    time_words: str
    stopwords: list[str]
    language: dict[str, Any]


# --- profanity.yaml, safety.yaml, scope.yaml -----------------------------------------------------


class Profanity(Strict):
    words: list[str]
    phrases: list[str]
    replace: list[Any]


class SafetyCategory(Strict):
    noticed: str
    response: Literal["only", "first"]
    help: list[Literal["emergency", "step_away", "crisis", "abuse", "safe_phone"]]
    patterns: list[str]


class OrdinaryAlone(Strict):
    """Complaints the classifier is not asked about when they are all a text says."""

    complaints: list[str]
    filler: str  # words that add nothing to such a complaint, space separated


class SafetyLexicon(Strict):
    spelling: dict[str, Any]
    macros: dict[str, str]
    allow: list[str]
    ordinary_alone: OrdinaryAlone
    unsure_draft: str  # added to the message of a draft the classifier was not sure of
    categories: dict[str, SafetyCategory]


Language = Literal["es", "fr", "de", "pt", "it", "pl"]


class SafetyLanguages(Strict):
    """Cues in other languages, per category of safety.yaml: language code -> patterns."""

    violence: dict[Language, list[str]]
    self_harm: dict[Language, list[str]]
    abuse: dict[Language, list[str]]
    coercive_control: dict[Language, list[str]]


class GeneralLines(Strict):
    emergency: str
    step_away: str
    crisis: str
    abuse: str
    safe_phone: str


class RegionLines(Strict):
    sources: list[str]  # the pages the numbers come from
    emergency: str | None = None
    step_away: str | None = None
    crisis: str | None = None
    abuse: str | None = None
    safe_phone: str | None = None


class Resources(Strict):
    general: GeneralLines
    regions: dict[str, RegionLines]


class Scope(Strict):
    relationship_words: list[str]
    shared_life: list[str]
    stopwords: list[str]
    list_questions: list[str]

    @model_validator(mode="after")
    def _patterns_compile(self) -> Scope:
        for pattern in self.list_questions:
            re.compile(pattern)
        return self


class GuideWhy(Strict):
    tone: str
    gate: str


class Guide(Strict):
    template: str
    why: GuideWhy
    feelings: list[str]
    needs: list[str]
    requests: list[str]


class ToneShape(Strict):
    name: str
    why: str
    pattern: str
    template: str
    brief: str
    command: bool = False
    reason: str | None = None
    said_after: bool = False
    comparison: bool = False  # the act of another person, told of "you" (other_couple)
    with_findings: bool = False
    # the shape is always a reproach: a draft with it lands badly whatever the tone
    # classifier reads ("Would it have killed you to text?")
    reproach: bool = False


class ToneDismissal(Strict):
    why: str
    max_words: int
    not_starting: str
    template: str
    brief: str


class ToneShapes(Strict):
    lead: str
    threat: str
    threat_strong: str
    times_asked: str
    drop: str
    insist: str
    not_commands: list[str]
    shapes: list[ToneShape]
    dismissal: ToneDismissal
    note: str

    @model_validator(mode="after")
    def _patterns_compile(self):
        """Every pattern, with its macros filled in, is a regular expression."""
        names = ("lead", "threat", "threat_strong", "times_asked")
        macros = {name: getattr(self, name) for name in names}
        for shape in self.shapes:
            try:
                re.compile(expand_macros(shape.pattern, macros, where=f"shape {shape.name}"))
            except (re.error, KeyError) as exc:
                raise ValueError(f"shape {shape.name}: {exc}") from exc
        for name in (*names, "drop", "insist"):
            re.compile(getattr(self, name))
        return self


class Advice(Strict):
    default: str
    kinds: dict[str, str]


class SupportWeights(Strict):
    cosine: float
    coverage: float
    opposite: float
    reach: float
    bias: float


class SupportRules(Strict):
    weights: SupportWeights
    negations: list[str]
    absolutes: list[str]
    ignore: list[str]


class AnswerRanker(Strict):
    features: list[str]
    weights: list[float]
    trained_on: str
    measured: dict[str, Any]

    @model_validator(mode="after")
    def _one_weight_per_feature(self) -> AnswerRanker:
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.weights)} weights for {len(self.features)} features")
        return self


SCHEMAS: dict[str, type[Strict]] = {
    "advice.yaml": Advice,
    "answer_ranker.yaml": AnswerRanker,
    "guide.yaml": Guide,
    "behaviors.yaml": Behaviors,
    "insults.yaml": Insults,
    "openers.yaml": Openers,
    "patterns.yaml": Patterns,
    "phrasings.yaml": Phrasings,
    "profanity.yaml": Profanity,
    "safety.yaml": SafetyLexicon,
    "safety_languages.yaml": SafetyLanguages,
    "resources.yaml": Resources,
    "scope.yaml": Scope,
    "support.yaml": SupportRules,
    "tone_shapes.yaml": ToneShapes,
}
