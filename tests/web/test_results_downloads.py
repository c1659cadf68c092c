"""The results page's downloads, fetched over HTTP as a browser does and saved under their Content-Disposition
names, pass ``greenballot verify``; one changed byte fails it. The zip of the whole signed set too."""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from tests.integration.test_results_service import SMALL, imported
from voting.results.cli import verify
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio


def saved_name(content_disposition: str) -> str:
    """The file name a browser saves an attachment under."""
    header = Message()
    header["content-disposition"] = content_disposition
    name = header.get_filename()
    assert name, content_disposition
    return Path(name).name


def verified(folder: Path) -> int:
    return verify(argparse.Namespace(export_dir=str(folder), keys=str(folder / "keys.json")))


async def published_ballot(db_session) -> int:  # type: ignore[no-untyped-def]
    ballot_id = await imported(db_session, SMALL[1])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    return ballot_id


async def test_files_saved_from_the_results_page_pass_verify(client, db_session, tmp_path, capsys):
    ballot_id = await published_ballot(db_session)
    page = await client.get(f"/ballots/{ballot_id}/results")
    links = sorted(set(re.findall(rf'href="(/ballots/{ballot_id}/exports/[^"]+)" download', page.text)))
    folder = tmp_path / "downloads"
    folder.mkdir()
    for link in links:
        answer = await client.get(link)
        assert answer.status_code == 200, link
        (folder / saved_name(answer.headers["content-disposition"])).write_bytes(answer.content)
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(["bulletin.csv", "bulletin.csv.sig", "bulletin.json", "bulletin.json.sig", "election.pb",
                            "election.pb.sig", "keys.json", "result.csv", "result.csv.sig", "result.json",
                            "result.json.sig"])
    assert verified(folder) == 0, capsys.readouterr().err

    pb = folder / "election.pb"
    content = bytearray(pb.read_bytes())
    content[-2] = ord("7") if content[-2] != ord("7") else ord("8")
    pb.write_bytes(bytes(content))
    assert verified(folder) == 1
    assert "election.pb" in capsys.readouterr().err


async def test_the_zip_of_the_signed_set_passes_verify(client, db_session, tmp_path, capsys):
    ballot_id = await published_ballot(db_session)
    page = await client.get(f"/ballots/{ballot_id}/results")
    assert f'href="/ballots/{ballot_id}/exports.zip"' in page.text
    answer = await client.get(f"/ballots/{ballot_id}/exports.zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    name = saved_name(answer.headers["content-disposition"])
    assert name == f"ballot-{ballot_id}-exports.zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / name.removesuffix(".zip")
    assert (folder / "bulletin.csv.sig").exists()
    assert verified(folder) == 0, capsys.readouterr().err
    again = await client.get(f"/ballots/{ballot_id}/exports.zip")
    assert again.content == answer.content  # the same set always gives the same bytes

    signature = folder / "result.json.sig"
    signature.write_bytes(signature.read_bytes().replace(b'"', b"'", 1))
    assert verified(folder) == 1


async def test_the_zip_is_refused_before_publication(client, db_session):
    ballot_id = await imported(db_session, SMALL[1])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    assert (await client.get(f"/ballots/{ballot_id}/exports.zip")).status_code == 403
