"""Back-office actions. Each checks permissions and preconditions, changes state
in a transaction with conditional updates, and records timeline events on
every ticket, incident, known error and change it touches.
"""

from relaydesk.operations.actions.changes import (
    create_change,
    create_known_error,
    record_test_result,
    request_change,
)
from relaydesk.operations.actions.clients import inform_client
from relaydesk.operations.actions.deployments import (
    DeploymentResult,
    deploy_to_environment,
    rollback,
)
from relaydesk.operations.actions.environments import (
    create_environment,
    delete_environment,
    update_environment,
)
from relaydesk.operations.actions.incidents import (
    apply_known_error,
    assign_incident,
    close_incident,
    create_incident,
    escalate_ticket,
    link_ticket,
    start_triage,
    transfer_to_second_line,
)
from relaydesk.operations.actions.integrations import create_integration

__all__ = [
    "DeploymentResult",
    "apply_known_error",
    "assign_incident",
    "close_incident",
    "create_change",
    "create_environment",
    "create_incident",
    "create_integration",
    "create_known_error",
    "delete_environment",
    "deploy_to_environment",
    "escalate_ticket",
    "inform_client",
    "link_ticket",
    "record_test_result",
    "request_change",
    "rollback",
    "start_triage",
    "transfer_to_second_line",
    "update_environment",
]
