"""
``crosswalk check``: which ATLAS ids of the crosswalk another ATLAS
release no longer has as they were (drift).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import UsageError, add_format_option
from ._output import dump


if TYPE_CHECKING:
    import argparse

    from typing import TextIO

    from dnn_supply_chain._taxonomy import Taxonomy
    from dnn_supply_chain.crosswalk import AtlasDrift

    from ._common import Subparsers


#: Exit status of ``crosswalk check``: clean, drifted (FILE not ATLAS data
#: is 2, as every usage error).
CLEAN = 0
DRIFTED = 1


def register(subparsers: Subparsers) -> None:
    """
    Add ``crosswalk`` and its ``check`` command to *subparsers*.
    """
    group = subparsers.add_parser(
        "crosswalk",
        help="check the crosswalk against another ATLAS release",
        description="Commands about the crosswalk to other frameworks.",
    )
    commands = group.add_subparsers(
        dest="crosswalk_command", metavar="COMMAND", required=True
    )
    check = commands.add_parser(
        "check",
        help="list the mapped ATLAS ids an ATLAS data file no longer has",
        description=(
            "List every ATLAS id that the taxonomy and its installed "
            "extensions map to and that FILE does not have, has under "
            "another name, or marks deprecated or revoked (with its "
            "replacement where FILE names one).  Exit 0 when nothing "
            "drifted, 1 when anything did, 2 when FILE is not ATLAS data."
        ),
    )
    check.add_argument(
        "--atlas",
        metavar="FILE",
        required=True,
        help=(
            "an ATLAS data file: the ATLAS.yaml of mitre-atlas/atlas-data "
            "(needs the [atlas] extra) or an ATLAS STIX 2.1 bundle "
            "(stix-atlas.json)"
        ),
    )
    add_format_option(check)
    check.set_defaults(handler=_check)


def _check(tax: Taxonomy, args: argparse.Namespace, out: TextIO) -> int:
    from dnn_supply_chain.crosswalk import (
        NotAtlasDataError,
        atlas_drift,
        load_crosswalk,
        read_atlas_release,
    )

    try:
        release = read_atlas_release(args.atlas)
    except NotAtlasDataError as exc:
        msg = f"{args.atlas}: {exc}"
        raise UsageError(msg) from None
    catalog = load_crosswalk()
    drifted = atlas_drift(tax.attacks, tax.defenses, release, catalog)
    checked = len(
        {
            *(i for a in tax.attacks for i in a.atlas_techniques),
            *(
                i
                for d in tax.defenses
                for i in (*d.atlas_mitigations, *d.atlas_counters)
            ),
        }
    )
    fmt = "STIX bundle" if release.format == "stix" else "ATLAS.yaml"
    stated = (
        f"ATLAS {release.version}"
        if release.version
        else "ATLAS release not stated"
    )
    if args.format == "json":
        dump(
            {
                "file": args.atlas,
                "format": release.format,
                "atlas_version": release.version,
                "pinned": catalog.atlas_version,
                "checked": checked,
                "drifted": [_entry(d) for d in drifted],
            },
            out,
        )
        return DRIFTED if drifted else CLEAN
    out.write(
        f"{args.atlas} ({fmt}, {stated}): {checked} ATLAS ids the crosswalk "
        f"maps to (made against ATLAS {catalog.atlas_version}), "
        f"{len(drifted)} drifted\n"
    )
    for drift in drifted:
        out.write(f"\n{_line(drift)}\n")
        if drift.attacks:
            out.write(f"  attacks: {', '.join(drift.attacks)}\n")
        if drift.defenses:
            out.write(f"  defenses: {', '.join(drift.defenses)}\n")
    return DRIFTED if drifted else CLEAN


def _line(drift: AtlasDrift) -> str:
    name = f" {drift.name}" if drift.name else ""
    if drift.change == "missing":
        what = "not in the file"
    elif drift.change == "renamed":
        what = f"named {drift.name_in_file!r} in the file"
    else:
        what = f"{drift.change} in the file"
        what += (
            f", replaced by {drift.replaced_by}"
            if drift.replaced_by
            else ", no replacement named"
        )
    return f"{drift.id}{name}: {what}"


def _entry(drift: AtlasDrift) -> dict[str, object]:
    return {
        "id": drift.id,
        "change": drift.change,
        "name": drift.name,
        "name_in_file": drift.name_in_file,
        "replaced_by": drift.replaced_by,
        "attacks": list(drift.attacks),
        "defenses": list(drift.defenses),
    }
