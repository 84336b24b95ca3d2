using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Engine.Docker;

/// <summary>
/// Volume data sizes from the daemon's disk-usage report (<c>docker system df -v</c>), the only
/// place the daemon measures them. Read raw because the report changed shape: engines before
/// API 1.52 list <c>Volumes</c> at the top level, newer ones under <c>VolumeUsage.Items</c>, and
/// the client library only reads the newer shape.
/// </summary>
internal static class DockerVolumeSizes
{
    /// <summary>Reads the size of every volume the daemon measured.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Bytes by volume name; volumes the daemon did not measure are absent.</returns>
    public static async Task<Dictionary<string, long>> ReadAsync(DockerConnection connection, CancellationToken cancellationToken)
    {
        (HttpStatusCode status, string body) = await connection.SendRawAsync(HttpMethod.Get, "system/df?type=volume", null, null, cancellationToken).ConfigureAwait(false);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (status != HttpStatusCode.OK)
        {
            return sizes;
        }

        using JsonDocument report = JsonDocument.Parse(body);
        JsonElement root = report.RootElement;
        JsonElement volumes = root.TryGetProperty("Volumes", out JsonElement old) && old.ValueKind == JsonValueKind.Array
            ? old
            : root.TryGetProperty("VolumeUsage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("Items", out JsonElement items) && items.ValueKind == JsonValueKind.Array
                ? items
                : default;
        if (volumes.ValueKind != JsonValueKind.Array)
        {
            return sizes;
        }

        foreach (JsonElement volume in volumes.EnumerateArray())
        {
            // The daemon reports -1 for a size it did not compute.
            if (volume.TryGetProperty("Name", out JsonElement name) && name.ValueKind == JsonValueKind.String
                && volume.TryGetProperty("UsageData", out JsonElement data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("Size", out JsonElement size) && size.TryGetInt64(out long bytes) && bytes >= 0)
            {
                sizes[name.GetString()!] = bytes;
            }
        }

        return sizes;
    }
}
