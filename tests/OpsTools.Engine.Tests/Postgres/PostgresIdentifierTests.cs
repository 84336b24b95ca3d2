using System;
using OpsTools.Engine.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>How operator-given table names become quoted identifiers.</summary>
public sealed class PostgresIdentifierTests
{
    [Theory]
    [InlineData("due_work", "\"due_work\"")]
    [InlineData("Jobs.Due_Work", "\"jobs\".\"due_work\"")]
    [InlineData("\"Jobs\".\"Due Work\"", "\"Jobs\".\"Due Work\"")]
    [InlineData("x\"; DROP TABLE t; --", "\"x\"\"; drop table t; --\"")]
    [InlineData("\"a\"\"b\"", "\"a\"\"b\"")]
    public void Names_are_quoted_as_identifiers_and_unquoted_parts_folded(string name, string quoted) =>
        Assert.Equal(quoted, PostgresIdentifier.QuoteQualified(name));

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("\"open")]
    [InlineData("schema.")]
    public void Names_that_are_no_table_name_are_refused(string name) =>
        Assert.Throws<FormatException>(() => PostgresIdentifier.QuoteQualified(name));
}
