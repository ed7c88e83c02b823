"""The skills gap analysis recognises, each with the spellings that count as mentioning it."""

from __future__ import annotations

from types import MappingProxyType

SKILLS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "Python": ("python",),
        "Java": ("java",),
        "JavaScript": ("javascript", "js"),
        "TypeScript": ("typescript",),
        "Go": ("golang",),
        "Rust": ("rust",),
        "C#": ("c#", ".net", "dotnet"),
        "SQL": ("sql", "postgresql", "postgres", "mysql"),
        "NoSQL": ("nosql", "dynamodb", "mongodb", "cassandra"),
        "AWS": ("aws", "amazon web services"),
        "Azure": ("azure",),
        "GCP": ("gcp", "google cloud"),
        "Serverless": ("serverless", "lambda"),
        "Docker": ("docker", "containers"),
        "Kubernetes": ("kubernetes", "k8s", "eks"),
        "Terraform": ("terraform",),
        "Infrastructure as code": ("infrastructure as code", "iac", "cloudformation", "cdk"),
        "CI/CD": ("ci/cd", "continuous integration", "continuous delivery", "github actions", "jenkins"),
        "Automated testing": ("unit testing", "test automation", "automated testing", "pytest", "tdd"),
        "REST APIs": ("rest", "restful", "api design", "openapi"),
        "GraphQL": ("graphql",),
        "React": ("react", "reactjs"),
        "Machine learning": ("machine learning", "ml", "deep learning"),
        "Data engineering": ("data engineering", "etl", "data pipelines", "spark", "airflow"),
        "Observability": ("observability", "monitoring", "logging", "tracing", "cloudwatch", "datadog"),
        "Security": ("security", "iam", "owasp", "threat modelling", "threat modeling"),
        "Distributed systems": ("distributed systems", "microservices", "event-driven"),
        "Linux": ("linux", "unix", "bash"),
        "Agile": ("agile", "scrum", "kanban"),
        "Stakeholder management": ("stakeholder", "stakeholders", "stakeholder management"),
        "Leadership": ("leadership", "led a team", "team lead", "people management", "mentoring", "mentor"),
        "Communication": ("communication", "presentation", "presenting"),
        "Product management": ("product management", "roadmap", "product strategy"),
        "Budget ownership": ("budget", "p&l", "cost management"),
    }
)
