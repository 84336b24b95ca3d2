#Requires -Version 7.4
# Get-CeleryQueue: parameter surface, broker errors, then real Celery-shaped messages pushed with redis-cli.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $redis = Get-RedisLabStatus -WarningAction SilentlyContinue
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Redis.GetCeleryQueueCommand'
}

Describe 'Get-CeleryQueue parameters and broker errors' {
    It 'has exactly the parameters Broker, Queue, Timeout and Credential' {
        (Get-ParameterSurface -Command Get-CeleryQueue).Keys | Sort-Object | Should -Be @('Broker', 'Credential', 'Queue', 'Timeout')
    }

    It 'writes CeleryBrokerInvalid (InvalidArgument) for a malformed broker and masks its password' {
        Get-CeleryQueue 'redis://:opstools-rq-secret@broker:port/0' -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "CeleryBrokerInvalid,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].Exception.Message + $failed[0].ErrorDetails.Message + $failed[0].TargetObject | Should -Not -Match 'opstools-rq-secret'
        $failed[0].TargetObject | Should -Be 'redis://***@broker:port/0'
    }

    It 'writes CeleryBrokerUnsupported (NotImplemented) for an amqp broker' {
        Get-CeleryQueue 'amqp://guest@rabbit:5672//' -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "CeleryBrokerUnsupported,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'NotImplemented'
    }
}

Describe 'Get-CeleryQueue against the lab' -Skip:(-not $redis.IsAvailable) {
    BeforeAll {
        $redis = Get-RedisLabStatus
        $db = 10
        $queue = 'opstools-rq-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $sep = [string][char]6 + [char]22
        $message = '{"body": "W1tdLCB7fSwge31d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "tasks.add", "id": "0b1e"}, "properties": {"delivery_tag": "d1", "priority": 0}}'
        $keys = @($queue, "$queue${sep}6", 'unacked', 'unacked_index', '_kombu.binding.celery')
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList (@('del') + $keys)
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList 'lpush', $queue, $message, $message, $message
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList 'lpush', "$queue${sep}6", $message
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList 'hset', 'unacked', 'tag-1', "[$message, `"`", `"$queue`"]"
        $deliveredAt = ([DateTimeOffset]::UtcNow.AddSeconds(-90).ToUnixTimeMilliseconds() / 1000).ToString([cultureinfo]::InvariantCulture)
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList 'zadd', 'unacked_index', $deliveredAt, 'tag-1'
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList 'sadd', '_kombu.binding.celery', "$queue$sep$sep$queue"
    }

    AfterAll {
        $null = Invoke-RedisCli -Server $redis.Server -Database $db -ArgumentList (@('del') + $keys)
    }

    It 'counts waiting messages over the priority lists, the unacked delivery and its age' {
        $result = Get-CeleryQueue "redis://$($redis.Server)/$db"

        $result | Should -BeOfType ([OpsTools.Redis.CeleryQueue])
        $result.Queue | Should -Be $queue
        $result.Messages | Should -Be 4
        $result.Unacked | Should -Be 1
        $result.OldestUnackedAge.TotalSeconds | Should -BeGreaterOrEqual 89
        $result.OldestUnackedAge.TotalSeconds | Should -BeLessThan 150
        ($result | Format-Table | Out-String) | Should -Match "$queue\s+4\s+1\s+\d+s"
    }

    It 'reads a named queue that is empty as zero' {
        (Get-CeleryQueue "redis://$($redis.Server)/$db" -Queue 'opstools-rq-empty').Messages | Should -Be 0
    }

    It 'writes RedisAuthenticationFailed for a password broker without a password' {
        Get-CeleryQueue "redis://$($redis.AuthServer)/0" -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "RedisAuthenticationFailed,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
