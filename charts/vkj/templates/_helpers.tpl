{{- define "vkj.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vkj.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "vkj.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "vkj.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The provider: required, there is no default (a forgotten value would register a fake node). */}}
{{- define "vkj.provider" -}}
{{- required "provider is required: azure, fargate, mock, or the name of a provider folder in the image (vk-runner providers lists them)" .Values.provider -}}
{{- end -}}

{{/* rbac.install is the Go chart's name for rbac.create; either turns RBAC on. */}}
{{- define "vkj.rbac" -}}
{{- if hasKey .Values.rbac "install" -}}
{{- if .Values.rbac.install }}true{{ end -}}
{{- else if .Values.rbac.create -}}
true
{{- end -}}
{{- end -}}

{{/*
The provider configuration file: the hands-on's names for azure (providers.azure.aciResourceGroup,
aciRegion, subscriptionId) become the provider's keys; providerConfig holds the provider's own keys
and wins over them.
*/}}
{{- define "vkj.providerConfig" -}}
{{- $config := dict -}}
{{- if eq (include "vkj.provider" .) "azure" -}}
{{- with .Values.providers.azure -}}
{{- if .targetAKS -}}
{{- fail "providers.azure.targetAKS=true is not supported: vkj takes Azure credentials from a service principal (tenantId, clientId, clientKey), an existing Secret, or a managed or workload identity, not from the AKS node's azure.json" -}}
{{- end -}}
{{- $_ := set $config "resourceGroup" (required "providers.azure.aciResourceGroup is required with provider=azure" .aciResourceGroup) -}}
{{- $_ := set $config "region" (required "providers.azure.aciRegion is required with provider=azure" .aciRegion) -}}
{{- if .subscriptionId -}}
{{- $_ := set $config "subscriptionId" .subscriptionId -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq (include "vkj.provider" .) "fargate" -}}
{{- with .Values.providers.fargate -}}
{{- range $key := list "region" "cluster" "executionRoleArn" "taskRoleArn" "logGroup" "platformVersion" "capacityProvider" "cpuArchitecture" "parameterPrefix" "cpu" "memory" "ephemeralStorage" "pods" "endpoint" -}}
{{- $value := get $.Values.providers.fargate $key -}}
{{- if not (kindIs "invalid" $value) -}}
{{- if ne (toString $value) "" -}}
{{- $_ := set $config $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if .subnets -}}
{{- $_ := set $config "subnets" .subnets -}}
{{- else if not $.Values.providerConfig.subnets -}}
{{- fail "providers.fargate.subnets is required with provider=fargate: the subnet IDs of the tasks' network interfaces" -}}
{{- end -}}
{{- if .securityGroups -}}
{{- $_ := set $config "securityGroups" .securityGroups -}}
{{- end -}}
{{- $_ := set $config "createCluster" .createCluster -}}
{{- $_ := set $config "assignPublicIp" .assignPublicIp -}}
{{- end -}}
{{- end -}}
{{- $config = merge (deepCopy .Values.providerConfig) $config -}}
{{- range $key, $value := $config }}
{{- if kindIs "slice" $value }}
{{ $key }}: {{ join "," $value | quote }}
{{- else }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* The Secret with the runner's AWS access keys, or none when it uses IRSA or the default chain. */}}
{{- define "vkj.fargateCredentialsSecret" -}}
{{- if eq (include "vkj.provider" .) "fargate" -}}
{{- with .Values.providers.fargate -}}
{{- if .existingSecret -}}
{{ .existingSecret }}
{{- else if or .accessKeyId .secretAccessKey -}}
{{ include "vkj.fullname" $ }}-aws
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The Lease flags of the runner, when more than one replica elects a leader. */}}
{{- define "vkj.leaderElect" -}}
{{- if gt (int .Values.replicas) 1 }}true{{ end -}}
{{- end -}}

{{/* The Secret with the Azure service principal, or none when the runner uses an identity. */}}
{{- define "vkj.azureCredentialsSecret" -}}
{{- if eq (include "vkj.provider" .) "azure" -}}
{{- with .Values.providers.azure -}}
{{- if .existingSecret -}}
{{ .existingSecret }}
{{- else if .clientKey -}}
{{ include "vkj.fullname" $ }}-azure
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
