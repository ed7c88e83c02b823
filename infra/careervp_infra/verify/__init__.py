"""Verification of an environment's stack, named by what each part checks.

- `synth`: the synthesized template declares every table, bucket, function, route and output the service
  needs (`observability`: each function's log group and alarms, also enforced at synth time);
- `deployed`: the live stack (AWS, or the emulator) matches its template, resource by resource;
- `blind_spots`: what the AWS emulator cannot show, answered "not verifiable on this target";
- `report`: one outcome per check (verified, drifted, not verifiable) and its rendering;
- `cli`: `verify_aws_state.py --mode synth|deployed` (src/backend/scripts) runs one of the two.

Nothing is imported here: the CDK app reads `observability` at synth time without loading boto3.
"""
