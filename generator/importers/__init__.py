"""Importers: turn outside data (Hugging Face daily papers, ...) into paperfeed records.

Pure library code: functions take text or parsed values and return record dicts plus
a list of problem strings; reading and writing files is left to the caller.
"""
