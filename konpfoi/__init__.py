"""konpfoi: FOI requests, campaign emails and statutory clocks for NHS data campaigners."""

__version__ = "0.1.0"
