"""CodeDeploy's BeforeAllowTraffic hook: check the new version (`careervp.pre_traffic`), then report.

CodeDeploy invokes the hook with the deployment and the hook execution's id and waits for
`PutLifecycleEventHookExecutionStatus` (AWS CodeDeploy AppSpec "hooks" section for an AWS Lambda deployment).
Every outcome is reported, a fault in the hook included: unreported, the deployment would wait out its
hour-long hook timeout before rolling back. "Failed" makes CodeDeploy stop and roll back before any traffic
has moved.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from aws_lambda_powertools.utilities.typing import LambdaContext

from careervp import aws_clients
from careervp.config import required_env
from careervp.observability import logger
from careervp.pre_traffic import check_version, target_for
from careervp.resources import ENV_VAR_PRE_TRAFFIC_TARGETS

Status = Literal["Succeeded", "Failed"]


def invoke_version(version_arn: str, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke the version synchronously; a function error is a 502, as API Gateway would answer it."""
    reply = aws_clients.lambda_().invoke(FunctionName=version_arn, Payload=json.dumps(event).encode())
    if reply.get("FunctionError"):
        return {"statusCode": 502}
    answer: dict[str, Any] = json.loads(reply["Payload"].read() or b"{}")
    return answer


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    deployment_id = str(event["DeploymentId"])
    execution_id = str(event["LifecycleEventHookExecutionId"])
    codedeploy = aws_clients.codedeploy()
    status: Status = "Failed"
    try:
        info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
        target = target_for(info["deploymentGroupName"], required_env(ENV_VAR_PRE_TRAFFIC_TARGETS))
        failures = check_version(target, invoke_version)
        if failures:
            logger.warning("the new version failed its pre-traffic check", extra={"failures": failures})
        else:
            status = "Succeeded"
            logger.info("the new version passed its pre-traffic check", extra={"version": target.version_arn})
    except Exception:
        logger.exception("the pre-traffic check could not run")
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id, status=status
    )
    return {"status": status}
