"""The demo county's divisions and service points, as plain data."""

from __future__ import annotations

import random
from typing import Any

from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

from zhili.demo import geo, names
from zhili.divisions.codes import LEVEL_COUNTY, LEVEL_TOWN, LEVEL_VILLAGE, validate_division_code

HALL_ADDRESS = f"{names.COUNTY_NAME}人民路1号"
HALL_HOURS = "工作日 8:30-12:00，13:30-17:00（周六上午延时服务）"
TOWN_HOURS = "工作日 8:30-12:00，13:30-17:00"
VILLAGE_HOURS = [
    "工作日 8:30-11:30，13:30-17:00",
    "工作日 8:30-11:30，13:30-17:00（农忙时节上门代办）",
    "工作日 8:00-11:30，13:00-16:30",
    "每周一、三、五全天，其余时间电话预约",
]


def county_divisions(*, seed: int = 2026, county_code: str = "330599") -> list[dict[str, Any]]:
    """The county, its 10 towns and 137 villages: code, name, level, parent, boundary, centroid.

    Listed parents first. Villages are numbered within their town outwards
    from the town seat: 社区 001…, 行政村 201…. A village's ``seat`` is true
    where the town government sits (the service points stand there).
    """
    rng = random.Random(f"divisions:{seed}")
    cells, towns = geo.county_geography(seed=seed)
    reserved = {v for vs in names.FIXED_VILLAGES.values() for v in vs}
    reserved |= {f"{names.stem(t)}村" for _, t in names.TOWNS}
    reserved |= {f"{names.stem(t)}社区" for _, t in names.TOWNS}
    village_pool = [n for n in names.VILLAGE_NAMES if n not in reserved]
    community_pool = [n for n in names.COMMUNITY_NAMES if n not in reserved]
    rng.shuffle(village_pool)
    rng.shuffle(community_pool)

    county_poly = unary_union([c.poly for c in cells])
    out = [_division(f"{county_code}000000", names.COUNTY_NAME, LEVEL_COUNTY, None, county_poly)]
    villages: list[dict[str, Any]] = []
    for (town_no, town_name), members in zip(names.TOWNS, towns, strict=True):
        town_code = f"{county_code}{town_no}000"
        town_poly = unary_union([cells[i].poly for i in members])
        out.append(_division(town_code, town_name, LEVEL_TOWN, out[0]["code"], town_poly))
        seat = members[0]
        by_distance = sorted(
            members, key=lambda i: (cells[i].poly.centroid.distance(cells[seat].poly.centroid), i)
        )
        # A 镇 has one or two 社区 around its seat (集镇社区); the seat itself is a 村.
        market_towns = (
            set() if names.is_subdistrict(town_no) else set(by_distance[1 : 2 + rng.randint(0, 1)])
        )
        fixed = list(names.FIXED_VILLAGES.get(town_no, []))
        n_comm, n_vill = 0, 0
        for i in by_distance:
            community = cells[i].urban or i in market_towns
            if community:
                n_comm += 1
                number = f"{n_comm:03d}"
                if i == seat:
                    name = f"{names.stem(town_name)}社区"
                else:
                    name = community_pool.pop()
            else:
                n_vill += 1
                number = f"{200 + n_vill:03d}"
                if fixed:
                    name = fixed.pop(0)
                elif i == seat:
                    name = f"{names.stem(town_name)}村"
                else:
                    name = village_pool.pop()
            code = f"{county_code}{town_no}{number}"
            villages.append(_division(code, name, LEVEL_VILLAGE, town_code, cells[i].poly))
            villages[-1]["seat"] = i == seat
    out += sorted(villages, key=lambda d: d["code"])
    for d in out:
        validate_division_code(d["code"], county=county_code)
    return out


def _division(code: str, name: str, level: str, parent: str | None, poly: Any) -> dict[str, Any]:
    if not isinstance(poly, Polygon) or not poly.is_valid:
        raise RuntimeError(f"{name}的边界不是一个有效的多边形")
    lon, lat = geo.inside_point(poly)
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "boundary": geo.geojson(poly),
        "centroid_lon": lon,
        "centroid_lat": lat,
    }


def service_points(divisions: list[dict[str, Any]], *, seed: int = 2026) -> list[dict[str, Any]]:
    """The county hall, a 便民服务中心 per town and a 便民服务站 per village."""
    rng = random.Random(f"points:{seed}")
    by_code = {d["code"]: d for d in divisions}
    county = divisions[0]
    towns = [d for d in divisions if d["level"] == LEVEL_TOWN]
    villages = [d for d in divisions if d["level"] == LEVEL_VILLAGE]
    seats = {v["parent_code"]: v for v in villages if v.get("seat")}
    hall_village = seats[towns[0]["code"]]
    lon, lat = _near(hall_village, 0.003, -0.002)
    out = [
        {
            "code": "HALL",
            "name": f"{county['name']}政务服务中心",
            "kind": "hall",
            "division_code": county["code"],
            "address": HALL_ADDRESS,
            "hours": HALL_HOURS,
            "phone": "0572-6012345",
            "lon": lon,
            "lat": lat,
        }
    ]
    for town in towns:
        seat = seats[town["code"]]
        lon, lat = _near(seat, -0.002, 0.0015)
        out.append(
            {
                "code": f"TC-{town['code'][:9]}",
                "name": names.town_centre_name(town["name"]),
                "kind": "town_centre",
                "division_code": town["code"],
                "address": names.town_centre_address(town["name"]),
                "hours": TOWN_HOURS,
                "phone": f"0572-6{rng.randint(100000, 999999)}",
                "lon": lon,
                "lat": lat,
            }
        )
    for village in villages:
        town = by_code[village["parent_code"]]
        committee = "居民委员会" if village["name"].endswith("社区") else "村民委员会"
        out.append(
            {
                "code": f"VP-{village['code']}",
                "name": f"{village['name']}便民服务站",
                "kind": "village_point",
                "division_code": village["code"],
                "address": f"{names.COUNTY_NAME}{town['name']}{village['name']}{committee}",
                "hours": rng.choice(VILLAGE_HOURS),
                "phone": f"0572-6{rng.randint(100000, 999999)}",
                "lon": village["centroid_lon"],
                "lat": village["centroid_lat"],
            }
        )
    return out


def _near(division: dict[str, Any], dlon: float, dlat: float) -> tuple[float, float]:
    """A point a few hundred metres from the division's centre, still inside it."""
    poly = Polygon(division["boundary"]["coordinates"][0], division["boundary"]["coordinates"][1:])
    lon = round(division["centroid_lon"] + dlon, 5)
    lat = round(division["centroid_lat"] + dlat, 5)
    if poly.contains(Point(lon, lat)):
        return lon, lat
    return division["centroid_lon"], division["centroid_lat"]
