"""When a platform's masked buyer may be shown in the clear, and to whom.

Platforms hand out buyers masked, with an OAID, and forbid storing the plaintext. Taobao's
`taobao.top.oaid.decrypt` reveals one only for a declared scene (场景编号), and each scene
shows only what it needs: shipping scenes the whole receiver, after-sales ones the number.
We ask only for the scenes a warehouse has, and only for the roles whose work is that scene;
every request is logged with who and why, and what comes back is shown, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from wms.domain.errors import Forbidden, Invalid


@dataclass(frozen=True)
class Scene:
    code: str
    purpose: str
    reveals: tuple[str, ...]  # name, mobile, phone, address
    roles: frozenset[str]  # who may ask for it


_BOSSES = frozenset({"admin", "supervisor"})
SCENES = {s.code: s for s in (
    Scene("1005", "线下门店发货 shipping from a store or the warehouse desk", ("name", "mobile", "phone", "address"),
          _BOSSES),
    Scene("1006", "手工单发货 a parcel written by hand (a courier without an e-waybill)",
          ("name", "mobile", "phone", "address"), _BOSSES),
    Scene("1008", "改地址 checking an address change", ("address",), _BOSSES | {"after_sales"}),
    Scene("1009", "查看收件人姓名 the receiver's name", ("name",), _BOSSES | {"after_sales"}),
    Scene("2001", "客户售后服务 after-sales: calling the buyer about a case", ("mobile", "phone"),
          _BOSSES | {"after_sales"}),
    Scene("2002", "客户关怀 customer care", ("mobile", "phone"), _BOSSES | {"after_sales"}),
)}
MIN_REASON = 2  # characters: "why" in words a reviewer can read (回电 will do), not a dot


def check_reveal(role: str, scene: str, reason: str) -> Scene:
    """The scene asked for, if this role may ask for it with this reason; else a clear refusal."""
    found = SCENES.get(str(scene or "").strip())
    if found is None:
        raise Invalid(f"scene {scene!r} is not one a warehouse may use; one of "
                      + ", ".join(f"{s.code} ({s.purpose})" for s in SCENES.values()), "invalid_scene")
    if role not in found.roles:
        raise Forbidden(f"a {role} may not see buyers for scene {found.code} ({found.purpose}); "
                        f"ask a {' or '.join(sorted(found.roles))}", "scene_not_allowed")
    if len((reason or "").strip()) < MIN_REASON:
        raise Invalid("say why the buyer must be shown (it is logged with your name)", "reason_required")
    return found
