"""Scoring a whole audience at once: the same grades as `tasks.scoring.match`, column by column.

Each text column is dictionary-encoded; every distinct title, industry, place, size band and
description is graded once by the row scorer's own memoised graders (so the meaning of a score
cannot drift between the two), and numpy gathers the grades back onto the rows and takes the
weighted mean. Descriptions, the one column with many distinct values, are searched with
Arrow's RE2 kernels over the dictionary instead of Python regexes. Reasons are built only for
the rows asked for (`reasons_for`), through the row scorer.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tasks.scoring.match import MISS_FACTOR, MISS_GROUPS, _Scorer
from tasks.search.criteria import Prospect, SearchSpec
from tasks.search.vocabulary import parse_size_range, term_regex


class _Searchable:
    """Distinct lower-cased values with their UTF-8 bytes in one buffer, for literal search.

    `bytes.find` over the whole buffer (memchr-fast) finds every occurrence of a literal in
    one scan, about ten times faster than Arrow's per-string `match_substring`; offsets map
    each occurrence back to its value. An occurrence spanning two neighbouring values only
    makes a spare candidate, which the exact regex then rejects.
    """

    def __init__(self, values: pa.Array) -> None:
        self.values = values
        _, offsets, data = values.buffers()
        width = np.int64 if pa.types.is_large_string(values.type) else np.int32
        self.offsets = np.frombuffer(offsets, dtype=width)[
            values.offset: values.offset + len(values) + 1].astype(np.int64)
        self.data = data.to_pybytes() if data is not None else b""

    def containing(self, literal: str) -> np.ndarray:
        """Indices (ascending) of the values containing `literal`."""
        needle, end = literal.encode(), int(self.offsets[-1])
        found = []
        at = self.data.find(needle, int(self.offsets[0]), end)
        while at >= 0:
            found.append(at)
            at = self.data.find(needle, at + 1, end)
        if not found:
            return np.zeros(0, dtype=np.int64)
        rows = np.searchsorted(self.offsets, np.array(found), side="right") - 1
        return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]


class _Columns:
    """Per chunk: row codes and distinct values of each text column, computed once per call.

    Dictionary-encoded columns (`read_audience` reads them so from Parquet) are used as they
    are, chunk by chunk, without unifying dictionaries; plain strings are encoded here.
    """

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._cache: dict[str, list[tuple[np.ndarray, pa.Array]]] = {}
        self._lower: dict[str, list[_Searchable]] = {}
        # An interest that is also an ideal-customer need is searched for once.
        self._hits: dict[tuple[str, str], np.ndarray] = {}

    def chunks(self, name: str) -> list[tuple[np.ndarray, pa.Array]]:
        """[(per-row index into the chunk's distinct values, those values + a final '')]."""
        if name not in self._cache:
            parts = []
            for chunk in self.table[name].chunks:
                if not pa.types.is_dictionary(chunk.type):
                    chunk = pc.dictionary_encode(chunk)
                values = pa.concat_arrays([pc.fill_null(chunk.dictionary, ""),
                                           pa.array([""], chunk.dictionary.type)])
                codes = pc.fill_null(chunk.indices, len(values) - 1).to_numpy(
                    zero_copy_only=False)
                parts.append((codes, values))
            self._cache[name] = parts
        return self._cache[name]

    def grade(self, name: str, grader) -> np.ndarray:  # noqa: ANN001
        out = []
        for codes, values in self.chunks(name):
            grades = np.fromiter((grader(v)[0] for v in values.to_pylist()), dtype=np.float64,
                                 count=len(values))
            out.append(grades[codes])
        return np.concatenate(out) if out else np.zeros(0)

    def present(self, name: str) -> np.ndarray:
        """Per row: is the text column non-empty?"""
        return self.grade(name, lambda value: (1.0 if value else 0.0,)) > 0

    def term_hits(self, name: str, term: str) -> np.ndarray:
        """Per row: does the column contain `term` (whole word, optional plural)?

        A literal search for the term's first word (fast) picks the few values worth the
        regex; the regex then runs on those alone, over lower-cased text.
        """
        key = (name, term.strip().lower())
        if key not in self._hits:
            self._hits[key] = self._term_hits(name, term)
        return self._hits[key]

    def _term_hits(self, name: str, term: str) -> np.ndarray:
        if name not in self._lower:
            self._lower[name] = [_Searchable(pc.utf8_lower(values))
                                 for _, values in self.chunks(name)]
        literal = term.strip().lower().split()[0].split("-")[0]
        pattern = term_regex(term.lower())
        out = []
        for (codes, _), searchable in zip(self.chunks(name), self._lower[name], strict=True):
            lowered = searchable.values
            candidates = searchable.containing(literal)
            hits = np.zeros(len(lowered), dtype=bool)
            if len(candidates):
                matched = pc.match_substring_regex(lowered.take(pa.array(candidates)), pattern)
                hits[candidates] = matched.to_numpy(zero_copy_only=False)
            out.append(hits[codes])
        return np.concatenate(out) if out else np.zeros(0, dtype=bool)

    def places(self, grader) -> np.ndarray:  # noqa: ANN001
        """Grade each distinct (city, region, country_code, country) once per chunk."""
        names = ("city", "region", "country_code", "country")
        out = []
        for parts in zip(*(self.chunks(n) for n in names), strict=True):
            sizes = [len(values) for _, values in parts]
            key = np.zeros(len(parts[0][0]), dtype=np.int64)
            for (codes, _), size in zip(parts, sizes, strict=True):
                key = key * size + codes
            distinct, inverse = np.unique(key, return_inverse=True)
            texts = [values.to_pylist() for _, values in parts]
            grade = np.empty(len(distinct))
            for index, combined in enumerate(distinct.tolist()):
                picked = []
                for size, values in zip(reversed(sizes), reversed(texts), strict=True):
                    combined, code = divmod(combined, size)
                    picked.append(values[code])
                country, code, region, city = picked
                grade[index] = grader(city or None, region or None, code, country)[0]
            out.append(grade[inverse])
        return np.concatenate(out) if out else np.zeros(0)


def _python_round(scores: np.ndarray) -> np.ndarray:
    """Round like the row scorer's `round(x, 2)`; numpy's rounding differs only near ties."""
    rounded = np.round(scores, 2)
    scaled = scores * 100
    near_tie = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    if len(near_tie):
        distinct, inverse = np.unique(scores[near_tie], return_inverse=True)
        rounded[near_tie] = np.array([round(float(x), 2) for x in distinct])[inverse]
    return rounded


TEXT_COLUMNS = ("title", "company", "industry", "city", "region", "country", "country_code",
                "company_size", "description")


def read_audience(path: str) -> pa.Table:
    """A prospect Parquet file with its text columns read dictionary-encoded."""
    import pyarrow.parquet as pq

    return pq.read_table(path, read_dictionary=list(TEXT_COLUMNS))


def score_table(table: pa.Table, spec: SearchSpec) -> np.ndarray:
    """Scores in [0, 1] (2 decimals) of every row of a prospect table (PROSPECT_SCHEMA)."""
    scorer = _Scorer(spec)
    columns = _Columns(table)
    rows = table.num_rows
    grades: dict[str, np.ndarray] = {}
    if spec.roles:
        grades["role"] = columns.grade("title", scorer.role)
    if spec.industries:
        grades["industry"] = columns.grade("industry", scorer.industry)
    if scorer.places:
        grades["location"] = columns.places(scorer.location)
    if spec.company_sizes:
        employees = table["employee_count"].to_numpy()
        inside = np.zeros(rows, dtype=bool)
        for _, (low, high) in scorer.sizes:
            inside |= (employees >= low) & (employees <= (high if high is not None else 2**62))
        grades["size"] = np.where(inside, 1.0, columns.grade("company_size", scorer.size_band))
    if scorer.terms:
        found = np.zeros(rows, dtype=np.int64)
        for _, term, _ in scorer.terms:
            found += columns.term_hits("description", term) | columns.term_hits("industry", term)
        grades["text"] = np.minimum(1.0, found / min(len(scorer.terms), 2))
    if spec.min_revenue is not None or spec.max_revenue is not None:
        revenue = table["revenue_usd"]
        known = pc.is_valid(revenue).to_numpy(zero_copy_only=False)
        values = pc.fill_null(revenue, 0).to_numpy()
        ok = known.copy()
        if spec.min_revenue is not None:
            ok &= values >= spec.min_revenue
        if spec.max_revenue is not None:
            ok &= values <= spec.max_revenue
        grades["revenue"] = ok.astype(np.float64)
    if grades and not scorer.icp.is_empty():
        grades["icp"] = _icp_grades(table, columns, scorer)
    if not grades:
        return np.zeros(rows)
    total = sum(scorer.weights[group] for group in grades)
    if total <= 0:
        return np.zeros(rows)
    score = sum(scorer.weights[group] * grade for group, grade in grades.items()) / total
    # Outright misses on a value the row has, as the row scorer counts them (`_Scorer.known`).
    misses = np.zeros(rows, dtype=np.int64)
    for group in MISS_GROUPS:
        if group in grades:
            misses += (grades[group] == 0) & _known(group, table, columns)
    score = score * np.power(MISS_FACTOR, misses)
    if scorer.excluded:
        excluded = np.zeros(rows, dtype=bool)
        for term, _ in scorer.excluded:
            for name in ("title", "company", "industry", "description"):
                excluded |= columns.term_hits(name, term)
        score = np.where(excluded, 0.0, score)
    return _python_round(np.clip(score, 0.0, 1.0))


def _icp_grades(table: pa.Table, columns: _Columns, scorer: _Scorer) -> np.ndarray:
    """The ideal-customer group per row (the vector form of `_Scorer.grade_icp`)."""
    parts = []
    icp = scorer.icp
    if icp.sizes:
        counts = table["employee_count"]
        known = pc.is_valid(counts).to_numpy(zero_copy_only=False)
        employees = pc.fill_null(counts, -1).to_numpy()
        inside = np.zeros(table.num_rows, dtype=bool)
        for low, high in icp.sizes:
            inside |= known & (employees >= low) & (employees <= (high if high is not None
                                                                  else 2**62))
        band = columns.grade("company_size", lambda value: scorer.icp_size(None, value)) > 0
        parts.append(np.where(inside | (~known & band), 1.0, 0.0))
    if icp.industries:
        parts.append(columns.grade("industry", scorer.icp_industry))
    if icp.needs:
        found = np.zeros(table.num_rows, dtype=np.int64)
        for need, _ in scorer.icp_needs:
            found += columns.term_hits("description", need) | columns.term_hits("industry", need)
        parts.append(np.minimum(1.0, found / min(len(icp.needs), 2)))
    return sum(parts) / len(parts)


def _known(group: str, table: pa.Table, columns: _Columns) -> np.ndarray:
    """Per row: does it have a value for `group` (the vector form of `_Scorer.known`)?"""
    if group == "role":
        return columns.present("title")
    if group == "industry":
        return columns.present("industry")
    if group == "location":
        return columns.present("country_code") | columns.present("country")
    if group == "size":
        band = columns.grade("company_size",
                             lambda value: (1.0 if parse_size_range(value) else 0.0,)) > 0
        return pc.is_valid(table["employee_count"]).to_numpy(zero_copy_only=False) | band
    return pc.is_valid(table["revenue_usd"]).to_numpy(zero_copy_only=False)


def reasons_for(table: pa.Table, rows: list[int], spec: SearchSpec) -> list[list[str]]:
    """Match reasons of the chosen rows (a top-k), in the row scorer's words."""
    scorer = _Scorer(spec)
    picked = table.take(pa.array(rows, pa.int64())).to_pylist()
    return [scorer.score(Prospect(**{k: v for k, v in row.items() if v is not None
                                     or k in {"email", "phone", "linkedin", "website",
                                              "revenue_usd", "city", "region"}}))[1]
            for row in picked]
