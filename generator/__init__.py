"""carta: formal advocacy letters from structured content, as localized PDF and HTML."""

from .core.version import __version__

__all__ = ["__version__", "build", "check", "load_project"]


def __getattr__(name: str):
    # The public API is imported on first use, so that `carta --help` stays instant. Once
    # imported, each name is kept as a module attribute, so that every later access finds the
    # function itself, whatever submodules have been imported in between.
    if name == "build":
        from .pipeline.run import build as value
    elif name == "check":
        # generator.check validates the content (it reads and checks content/, raising one
        # ContentError); `carta check` does more: generator.pipeline.checking.
        from .campaign.assemble import validate as value
    elif name == "load_project":
        from .core.project import load_project as value
    else:
        raise AttributeError(f"module 'generator' has no attribute {name!r}")
    globals()[name] = value
    return value
