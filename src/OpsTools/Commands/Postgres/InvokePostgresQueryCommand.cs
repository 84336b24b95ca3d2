using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Runs a SQL query on a PostgreSQL database and returns its rows as objects (streamed), one DataTable, a scalar or the count of changed rows; @name placeholders are always bound as parameters.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PostgresQuery", DefaultParameterSetName = ParameterSets.Query, SupportsShouldProcess = true)]
[OutputType(typeof(PSObject), typeof(DataTable), typeof(object), typeof(int))]
public sealed class InvokePostgresQueryCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Query = "Query";
        public const string File = "File";
    }

    /// <summary>The SQL text; several statements may be given, separated by semicolons.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = ParameterSets.Query)]
    [ValidateNotNullOrEmpty]
    public string Query { get; set; } = string.Empty;

    /// <summary>A .sql file whose text is the query.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.File)]
    [ValidateNotNullOrEmpty]
    public string File { get; set; } = string.Empty;

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>The database; else the dbname of -Server, PGDATABASE, or postgres.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>Values of the @name placeholders of the query, bound as parameters (never put into the text).</summary>
    [Parameter]
    [Alias("SqlParameters")]
    [ValidateNotNull]
    public IDictionary? Parameters { get; set; }

    /// <summary>What to return: PSObject (a row object each, streamed; default), DataTable, Scalar or NonQuery.</summary>
    [Parameter]
    public PostgresQueryResultKind As { get; set; } = PostgresQueryResultKind.PSObject;

    /// <summary>How long the query may run, reading its rows included (30s, 5m, a TimeSpan); on expiry it is cancelled on the server. No limit when omitted.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string sql;
        if (ParameterSetName == ParameterSets.File)
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(File);
            if (!System.IO.File.Exists(path))
            {
                ThrowTerminatingError(ErrorRecords.Create(
                    "QueryFileNotFound",
                    ErrorCategory.ObjectNotFound,
                    path,
                    $"The query file {path} does not exist.",
                    "Give the path of an existing .sql file to -File."));
            }

            sql = System.IO.File.ReadAllText(path);
        }
        else
        {
            sql = Query;
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "QueryTimeoutInvalid",
                ErrorCategory.InvalidArgument,
                timeout,
                $"-Timeout must be longer than zero; {timeout} was given.",
                "Give a positive -Timeout such as 30s, or omit it for no limit."));
        }

        Runner.Run(this, sql, BindParameters());
    }

    private Dictionary<string, object?> BindParameters()
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Parameters is null)
        {
            return values;
        }

        foreach (DictionaryEntry entry in Parameters)
        {
            string name = LanguagePrimitives.ConvertTo<string>(entry.Key);
            values[name] = Unwrap(entry.Value);
        }

        return values;
    }

    private static object? Unwrap(object? value) => value switch
    {
        PSObject ps when ps.BaseObject is not PSCustomObject => Unwrap(ps.BaseObject),
        object[] items => items.Select(Unwrap).ToArray(),
        _ => value,
    };

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Runner
    {
        public static void Run(InvokePostgresQueryCommand cmdlet, string sql, Dictionary<string, object?> parameters)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential)));
            if (cmdlet.Database is { } database)
            {
                endpoint = endpoint.WithDatabase(database);
            }

            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}; parameters: {(parameters.Count == 0 ? "none" : string.Join(", ", parameters.Keys))}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            if (!cmdlet.ShouldProcess(endpoint.DisplayName, "Run query: " + Abbreviate(sql)))
            {
                return;
            }

            PostgresQuery query = cmdlet.AwaitOrTerminate(ct => PostgresQuery.OpenAsync(endpoint, sql, parameters, cmdlet.Timeout, ct));
            try
            {
                switch (cmdlet.As)
                {
                    case PostgresQueryResultKind.DataTable:
                        cmdlet.WriteObject(cmdlet.AwaitOrTerminate(_ => query.ReadTableAsync()), enumerateCollection: false);
                        break;
                    case PostgresQueryResultKind.Scalar:
                        cmdlet.WriteObject(cmdlet.AwaitOrTerminate(_ => query.ScalarAsync()));
                        break;
                    case PostgresQueryResultKind.NonQuery:
                        cmdlet.WriteObject(cmdlet.AwaitOrTerminate(_ => query.NonQueryAsync()));
                        break;
                    default:
                        while (cmdlet.AwaitOrTerminate(_ => query.ReadRowAsync()) is { } row)
                        {
                            var item = new PSObject();
                            for (int i = 0; i < row.Length; i++)
                            {
                                item.Properties.Add(new PSNoteProperty(query.Columns[i], row[i]));
                            }

                            cmdlet.WriteObject(item);
                        }

                        break;
                }
            }
            finally
            {
                query.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        private static string Abbreviate(string sql)
        {
            string line = string.Join(" ", sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            return line.Length <= 80 ? line : line[..77] + "...";
        }
    }
}
