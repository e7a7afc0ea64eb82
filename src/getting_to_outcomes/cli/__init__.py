"""The ``gto`` command line: a thin layer over the public Python API.

Each group of subcommands lives in its own module and is registered here.
"""

from __future__ import annotations

import click

from getting_to_outcomes._version import __version__
from getting_to_outcomes.cli._demo import demo
from getting_to_outcomes.cli._errors import GuardedGroup
from getting_to_outcomes.cli._example import example
from getting_to_outcomes.cli._framework import check, indicators, schema
from getting_to_outcomes.cli._plan import plan
from getting_to_outcomes.cli._report import report
from getting_to_outcomes.cli._score import score_command
from getting_to_outcomes.cli._validate import template, validate_command

__all__ = ["main"]


@click.group(cls=GuardedGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="gto")
@click.option("--debug", is_flag=True, envvar="GTO_DEBUG",
              help="Show the Python traceback of an error (also: GTO_DEBUG=1).")
def main(debug: bool) -> None:
    """Getting to Outcomes: check indicator definitions, validate data, score progress, report.

    \b
    Exit status:
      0  done (gto validate: the data have no errors)
      1  the data or definitions have errors, or a file cannot be read or written
      2  usage error: an unknown option, data source or value
      3  internal error of the library: rerun with --debug and report the traceback
    """


main.add_command(indicators)
main.add_command(check)
main.add_command(schema)
main.add_command(demo)
main.add_command(example)
main.add_command(validate_command)
main.add_command(template)
main.add_command(score_command)
main.add_command(report)
main.add_command(plan)
