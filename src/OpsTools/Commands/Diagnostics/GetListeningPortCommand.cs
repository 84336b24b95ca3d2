using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Diagnostics;

/// <summary>
/// <para type="synopsis">Gets the listening TCP and UDP sockets of this host with the process that owns each, as ss -ltunp or netstat -abno do.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ListeningPort", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ListeningPort))]
public sealed class GetListeningPortCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Only these ports.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>Only this protocol.</summary>
    [Parameter]
    public PortProtocol? Protocol { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<ListeningPort> ports = AwaitOrTerminate(ListeningPortReader.ReadAsync);
        var wanted = Port is null ? null : new HashSet<int>(Port);
        WriteObject(
            ports.Where(p => (wanted is null || wanted.Contains(p.Port)) && (Protocol is null || p.Protocol == Protocol)),
            enumerateCollection: true);
    }
}
