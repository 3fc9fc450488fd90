"""Submission keys: the hidden field every state-changing form carries."""

from django.template import Context, Template

from core import submissions


def test_a_posted_key_is_kept_and_a_bad_one_replaced():
    key = submissions.new_key()
    assert submissions.key_from({"submission": key}) == key
    for bad in ["", "short", "x" * 65, "<script>alert(1)</script>aaaaaaaa"]:
        fresh = submissions.key_from({"submission": bad})
        assert fresh != bad
        assert submissions.key_from({"submission": fresh}) == fresh


def test_the_field_is_new_each_time_unless_a_key_is_given():
    template = Template("{% load submissions %}{% submission_field %}")
    first, second = template.render(Context()), template.render(Context())
    assert first != second
    assert 'name="submission"' in first
    kept = Template("{% load submissions %}{% submission_field key %}").render(
        Context({"key": "abcdefghijklmnop"})
    )
    assert 'value="abcdefghijklmnop"' in kept
