"""How the callbacks' modules reach each other, where import-linter can't
look: it sees an import inside a function like one at the top."""

import ast
from pathlib import Path

from callbacks import dialers, tasks
from config.celery_app import app


def module_level_imports(tree: ast.Module):
    """Every import that runs when the module loads: not those inside a
    function, which run only when it is called."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        else:
            pending.extend(ast.iter_child_nodes(node))


def test_tasks_reach_services_only_from_inside_their_bodies():
    """Services import the tasks at the top to queue them; the import
    contract lets tasks import services only because they do it inside
    each task, so loading either module never needs the other."""
    tree = ast.parse(Path(tasks.__file__).read_text())
    imported = set(module_level_imports(tree))
    assert "celery.shared_task" in imported  # the walk sees the top
    back = sorted(
        name
        for name in imported
        if name == "callbacks.services" or name.startswith("callbacks.services.")
    )
    assert not back, f"callbacks.tasks imports services at load time: {back}"


def test_the_console_dialer_names_a_real_task_on_the_calls_queue():
    """It reaches its status task through the broker by name, not by
    import, so a renamed task must fail here rather than in run mode."""
    assert tasks.play_console_status.name == dialers.CONSOLE_STATUS_TASK
    assert dialers.CONSOLE_STATUS_TASK in app.tasks
    route = app.amqp.router.route({}, dialers.CONSOLE_STATUS_TASK)
    assert route["queue"].name == "calls"
