"""The per-resource review: replacement verdicts from cfn-lint's resource schemas (create-only properties),
and which IAM and security-group changes widen access."""

from __future__ import annotations

from typing import Any

from careervp_ci.release.change_review import review_resources, stateful_replacements
from careervp_ci.release.replacement import replacement
from careervp_ci.release.widening import widenings


def test_renaming_a_table_replaces_it_and_changing_its_billing_does_not() -> None:
    before = {"TableName": "a", "BillingMode": "PROVISIONED"}
    assert replacement("AWS::DynamoDB::Table", before, {**before, "TableName": "b"}).replacement == "True"
    assert replacement("AWS::DynamoDB::Table", before, {**before, "TableName": "b"}).because == ("TableName",)
    assert replacement("AWS::DynamoDB::Table", before, {**before, "BillingMode": "PAY_PER_REQUEST"}) == (
        replacement("AWS::DynamoDB::Table", before, before)
    )
    assert replacement("AWS::DynamoDB::Table", before, before).replacement == "False"


def test_a_create_only_value_given_by_an_intrinsic_is_conditional() -> None:
    verdict = replacement("AWS::S3::Bucket", {"BucketName": "a"}, {"BucketName": {"Ref": "Name"}})
    assert verdict.replacement == "Conditional"


def test_a_type_without_a_schema_is_never_replaced() -> None:
    assert replacement("Custom::Thing", {"A": 1}, {"A": 2}).replacement == "False"


def test_a_new_allow_statement_widens_and_a_removed_one_does_not() -> None:
    narrow = {
        "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "a"}]}
    }
    wide = {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}
    assert widenings("AWS::IAM::Policy", narrow, wide) == ['allows Action "*"; Resource "*"']
    # A statement the live template lacks is flagged even when narrower, as `cdk diff` flags it.
    assert widenings("AWS::IAM::Policy", wide, narrow) == ['allows Action "s3:GetObject"; Resource "a"']
    assert widenings("AWS::IAM::Policy", {**narrow}, {"PolicyDocument": {"Statement": []}}) == []


def test_a_managed_policy_and_an_ingress_rule_widen() -> None:
    assert widenings("AWS::IAM::Role", {}, {"ManagedPolicyArns": ["arn:admin"]}) == [
        'attaches managed policy "arn:admin"'
    ]
    rule = {"CidrIp": "0.0.0.0/0", "IpProtocol": "-1"}
    assert widenings("AWS::EC2::SecurityGroup", {}, {"SecurityGroupIngress": [rule]}) == [
        'adds SecurityGroupIngress rule {"CidrIp":"0.0.0.0/0","IpProtocol":"-1"}'
    ]
    assert widenings("AWS::Lambda::Function", {}, {"Role": "x"}) == []


def test_review_resources_reads_the_change_set_and_both_templates() -> None:
    old = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "a"}}}}
    new = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "b"}}}}
    changes: list[dict[str, Any]] = [
        {
            "Type": "Resource",
            "ResourceChange": {
                "Action": "Modify",
                "LogicalResourceId": "Table",
                "ResourceType": "AWS::DynamoDB::Table",
            },
        }
    ]
    [table] = review_resources(changes, old, new, "us-east-1")
    assert (table["replacement"], table["replacement_source"]) == ("True", "schema")
    assert table["properties"] == [{"name": "TableName", "before": '"a"', "after": '"b"'}]
    assert stateful_replacements([table]) == ["Table"]
    changes[0]["ResourceChange"]["Replacement"] = "False"  # CloudFormation's own verdict wins
    [told] = review_resources(changes, old, new, "us-east-1")
    assert (told["replacement"], told["replacement_source"]) == ("False", "cloudformation")
