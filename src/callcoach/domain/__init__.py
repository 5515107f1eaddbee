"""What a call, a rubric, a score and an assessment are.

Pure: standard library and pydantic only.
"""
