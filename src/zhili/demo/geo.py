"""The land of the demo county: an outline, village cells that tile it, towns grown from them.

Everything is computed, from a seed, in a local plane where one unit of x is
as long on the ground as one unit of y (x = Δlon·cos φ, y = Δlat), so the
cells look as round on a map as they are on the ground:

1. an irregular outline around lon 119.8–120.2, lat 30.4–30.7;
2. 137 points spread out by dart throwing, denser around the county seat
   where the 社区 of the 街道 are small;
3. their Voronoi cells clipped to the outline are the villages;
4. towns grow from seed cells over the cells' adjacency, so each town is one
   piece; the county is the union of everything.

Coordinates are rounded to 5 decimals (about a metre). A vertex shared by two
cells is the same float in both before rounding, so it is the same after,
and the cells still tile the county exactly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.polygon import orient

from zhili.demo import names

LON0, LAT0 = 120.0, 30.55
KX = math.cos(math.radians(LAT0))  # ground length of a degree of longitude, in degrees of latitude
BOUNDS = (119.8, 30.4, 120.2, 30.7)
VILLAGES = 137
URBAN_VILLAGES = 27  # the 社区 around the county seat
SEAT = (0.012, 0.015)  # county seat, in the plane, a little north-east of the middle
URBAN_RADIUS = 0.036
STREET_TARGETS = [10, 9, 8]  # villages per 街道; the towns share the rest


@dataclass
class Cell:
    poly: Polygon  # lon/lat, rounded
    urban: bool  # one of the 社区 around the county seat
    town: int = -1


def county_geography(*, seed: int = 2026) -> tuple[list[Cell], list[list[int]]]:
    """Village cells (in lon/lat, rounded) and the cell indices of each town."""
    rng = random.Random(f"geo:{seed}")
    outline = _outline(rng)
    points, urban = _points(rng, outline)
    polys = _clip_cells(points, outline)
    cells = [Cell(_to_lonlat(p), u) for p, u in zip(polys, urban, strict=True)]
    neighbours = _adjacency([c.poly for c in cells])
    towns = _grow_towns(rng, cells, neighbours)
    return cells, towns


def _outline(rng: random.Random) -> Polygon:
    harmonics = [
        (k, rng.uniform(0.02, 0.09) / k**0.5, rng.uniform(0, 2 * math.pi)) for k in (2, 3, 5, 7)
    ]
    ring = []
    steps = 72
    for i in range(steps):
        t = 2 * math.pi * i / steps
        r = 1 + sum(a * math.cos(k * t + phase) for k, a, phase in harmonics)
        r *= 1 + rng.uniform(-0.025, 0.025)
        ring.append((0.17 * KX * r * math.cos(t), 0.125 * r * math.sin(t)))
    poly = Polygon(ring)
    minx, miny, maxx, maxy = poly.bounds
    # Keep inside the county's box: lon 119.8–120.2, lat 30.4–30.7.
    fit = min(
        (LON0 - BOUNDS[0]) * KX / -minx,
        (BOUNDS[2] - LON0) * KX / maxx,
        (LAT0 - BOUNDS[1]) / -miny,
        (BOUNDS[3] - LAT0) / maxy,
        1.0,
    )
    return affinity.scale(poly, fit * 0.98, fit * 0.98, origin=(0, 0))


def _points(rng: random.Random, outline: Polygon) -> tuple[list[tuple[float, float]], list[bool]]:
    """Dart throwing: accept a point only far enough from the others; relax when stuck."""
    minx, miny, maxx, maxy = outline.bounds
    inner = outline.buffer(-0.004)
    seat = Point(SEAT)
    points: list[tuple[float, float]] = []
    urban: list[bool] = []

    def throw(count: int, radius: float, inside: Any, is_urban: bool) -> None:
        placed, misses = 0, 0
        while placed < count:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            p = Point(x, y)
            if not inside(p):
                continue
            if all((x - a) ** 2 + (y - b) ** 2 >= radius**2 for a, b in points):
                points.append((x, y))
                urban.append(is_urban)
                placed, misses = placed + 1, 0
            else:
                misses += 1
                if misses > 400:
                    radius, misses = radius * 0.95, 0

    throw(URBAN_VILLAGES, 0.011, lambda p: p.distance(seat) < URBAN_RADIUS, True)
    rural_inside = inner.difference(seat.buffer(URBAN_RADIUS + 0.004))
    throw(VILLAGES - URBAN_VILLAGES, 0.028, rural_inside.contains, False)
    return points, urban


def _clip_cells(points: list[tuple[float, float]], outline: Polygon) -> list[Polygon]:
    """The Voronoi cell of each point, clipped to the outline, each one piece."""
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=outline.buffer(0.1))
    raw = list(diagram.geoms)
    cells: list[Polygon] = []
    fragments: list[Polygon] = []
    for x, y in points:
        p = Point(x, y)
        cell = next(c for c in raw if c.contains(p))
        clipped = cell.intersection(outline)
        parts = sorted(getattr(clipped, "geoms", [clipped]), key=lambda g: -g.area)
        parts = [g for g in parts if isinstance(g, Polygon) and g.area > 0]
        # A concave bay of the outline can cut a convex cell in two: keep the
        # piece with the point, give the others to the neighbour they touch most.
        main = next(g for g in parts if g.intersects(p))
        cells.append(main)
        fragments += [g for g in parts if g is not main]
    for frag in fragments:
        best = max(
            range(len(cells)), key=lambda i: cells[i].boundary.intersection(frag.boundary).length
        )
        merged = shapely.union(cells[best], frag)
        if not isinstance(merged, Polygon):
            raise RuntimeError("a cell fragment does not touch its neighbour along an edge")
        cells[best] = merged
    return cells


def _to_lonlat(poly: Polygon) -> Polygon:
    def to_degrees(xy: np.ndarray) -> np.ndarray:
        out = np.column_stack([xy[:, 0] / KX + LON0, xy[:, 1] + LAT0])
        return np.round(out, 5)

    return shapely.remove_repeated_points(shapely.transform(poly, to_degrees))


def _adjacency(polys: list[Polygon]) -> list[list[int]]:
    """Cells that share an edge (a common corner is not enough)."""
    tree = shapely.STRtree(polys)
    out: list[list[int]] = [[] for _ in polys]
    for i, poly in enumerate(polys):
        for j in tree.query(poly):
            j = int(j)
            if j > i and poly.boundary.intersection(polys[j].boundary).length > 1e-9:
                out[i].append(j)
                out[j].append(i)
    return [sorted(n) for n in out]


def _grow_towns(
    rng: random.Random, cells: list[Cell], neighbours: list[list[int]]
) -> list[list[int]]:
    """Grow the towns from seed cells over the adjacency, the least filled first.

    Each town only ever takes a cell next to one it already has, so every town
    is one piece. 街道 grow over the urban cells first; the 镇 share the rest.
    """
    centres = [c.poly.centroid for c in cells]
    seat = _to_lonlat_point(SEAT)
    n_streets = len(STREET_TARGETS)  # names.TOWNS lists the 街道 first
    n_towns = len(names.TOWNS) - n_streets
    rural = len(cells) - sum(STREET_TARGETS)
    targets = STREET_TARGETS + [rural // n_towns + (k < rural % n_towns) for k in range(n_towns)]
    turn = rng.uniform(0, 2 * math.pi)
    seeds: list[int] = []
    for k in range(n_streets + n_towns):
        if k < n_streets:  # the 街道 ring the county seat
            angle, dist, urban = turn + 2 * math.pi * k / n_streets, 0.018, True
        else:  # the 镇 spread around them
            angle = turn + math.pi / n_towns + 2 * math.pi * (k - n_streets) / n_towns
            dist, urban = 0.1, False
        target = Point(seat.x + dist * math.cos(angle) / KX, seat.y + dist * math.sin(angle))
        choices = [i for i, c in enumerate(cells) if c.urban == urban and i not in seeds]
        seeds.append(min(choices, key=lambda i: centres[i].distance(target)))
    members: list[list[int]] = [[s] for s in seeds]
    for k, s in enumerate(seeds):
        cells[s].town = k

    def grow(towns: list[int], allowed: Any, respect_target: bool) -> bool:
        best: tuple[float, float, int, int] | None = None
        for k in towns:
            if respect_target and len(members[k]) >= targets[k]:
                continue
            frontier = {
                n for m in members[k] for n in neighbours[m] if cells[n].town < 0 and allowed(n)
            }
            if not frontier:
                continue
            cell = min(frontier, key=lambda n: (centres[n].distance(centres[seeds[k]]), n))
            key = (len(members[k]) / targets[k], centres[cell].distance(centres[seeds[k]]), k, cell)
            if best is None or key < best:
                best = key
        if best is None:
            return False
        k, cell = best[2], best[3]
        cells[cell].town = k
        members[k].append(cell)
        return True

    while grow(list(range(n_streets)), lambda n: cells[n].urban, True):
        pass
    while grow(list(range(n_streets, n_streets + n_towns)), lambda n: True, True):
        pass
    while grow(list(range(n_streets + n_towns)), lambda n: True, False):
        pass
    if any(c.town < 0 for c in cells):
        raise RuntimeError("the village cells are not connected")
    return members


def _to_lonlat_point(xy: tuple[float, float]) -> Point:
    return Point(xy[0] / KX + LON0, xy[1] + LAT0)


def geojson(poly: Polygon) -> dict[str, Any]:
    """A GeoJSON Polygon, exterior ring counter-clockwise (RFC 7946), as plain lists."""
    g = mapping(orient(poly, 1.0))
    return {
        "type": "Polygon",
        "coordinates": [[[x, y] for x, y in ring] for ring in g["coordinates"]],
    }


def inside_point(poly: Polygon) -> tuple[float, float]:
    """The centroid, or a point on the surface when a concave shape puts it outside."""
    p = poly.centroid
    for candidate in (p, poly.point_on_surface()):
        lon, lat = round(candidate.x, 5), round(candidate.y, 5)
        if poly.contains(Point(lon, lat)):
            return lon, lat
    raise RuntimeError("no interior point")  # pragma: no cover - a polygon has one
