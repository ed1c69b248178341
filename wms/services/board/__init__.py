"""The warehouse lead's board.

- `overview`: the counts a lead checks first thing in the morning, and what needs a person;
- `per_person`: figures per packer and picker for a warehouse day.
"""
