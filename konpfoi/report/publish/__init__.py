"""The campaign's website (konpfoi publish): pages, downloads, and what is taken out first."""
