"""carta.toml is checked like the content: every problem with its line, none an internal error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.app.cli import cli


@pytest.mark.parametrize("toml, expected", [
    ('project = "x"\n', 'carta.toml:1: project: expected a [project] section, found \'x\''),
    ('[project]\nlocales = "es"\n',
     'carta.toml:2: project.locales: expected a list of locale codes such as ["es", "en"]'),
    ('[project]\nlocales = ["es"]\npaper = "A5"\n',
     "carta.toml:3: project.paper: expected one of A4, Letter, found 'A5'"),
    ('[project]\ncolour = "red"\n',
     "carta.toml:2: project.colour: unknown setting; expected locales, paper, links or "
     "regions"),
    ('[archive]\nfolder = 3\n',
     'carta.toml:2: archive.folder: expected a folder path such as "output/archive", found 3'),
    ('[archive]\nfoldr = "x"\n', "carta.toml:2: archive.foldr: unknown setting"),
    ('[mail]\nport = "25"\n', "carta.toml:2: mail.port: expected int, found '25'"),
    ('[mail]\nfrom = "a@example.org, b@example.org"\n',
     "carta.toml:2: mail.from: expected one e-mail address"),
    ('[mail]\npassword = "secreto"\n',
     "carta.toml:2: mail.password: unknown setting; expected one of: from, host, port, user, "
     "starttls; the password goes only in CARTA_SMTP_PASSWORD"),
    ('[mail]\nhost = "smtp.example.org\\r\\nRCPT TO:<x@example.net>"\n',
     "carta.toml:2: mail.host: "),
    ('[mial]\n', "carta.toml:1: mial: unknown section; expected: archive, mail, project"),
    ('[project\n', "carta.toml:1: not valid TOML: "),
])
def test_each_setting_is_checked_with_its_line(sample, toml, expected):
    sample.write("carta.toml", toml)
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "check"])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert f"  {expected}" in result.output, result.output


def test_a_settings_file_that_is_a_link_out_of_the_project_is_refused(sample, tmp_path):
    outside = tmp_path / "fuera.toml"
    outside.write_text('[project]\nlocales = ["es"]\n', encoding="utf-8")
    (sample.root / "carta.toml").unlink()
    (sample.root / "carta.toml").symlink_to(outside)
    result = CliRunner().invoke(cli, ["--project", str(sample.root), "check"])
    assert result.exit_code == 1
    assert "carta.toml: expected a settings file inside the project, found a symbolic link" \
        in result.output
