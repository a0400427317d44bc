import * as pulumi from "@pulumi/pulumi";
import { VirtualMachineScaleSet } from "@pulumi/azure-native/compute/virtualMachineScaleSet.js";
import type { Infer } from "../../src/api/schema.js";
import { azureNodePoolPlatform } from "../../src/api/platforms/azure.js";
import {
  nodeGroupOutputs,
  nodeGroupProgram,
  nodeGroupSize,
  poolIdentity,
  poolPlainTags,
} from "../cloud/node-group.js";
import { joinUserData } from "../cloud/node-join.js";
import { nodePoolHostFields, nodePoolInputs } from "../node-pool-inputs.js";
import { azureProvider } from "./cluster.js";

export const azureNodePoolInputs = nodePoolInputs(azureNodePoolPlatform(), nodePoolHostFields);
export type AzureNodePoolInputs = Infer<typeof azureNodePoolInputs>;

/** The VMs' admin user: SSH with the spec's key only. */
const ADMIN_USER = "slipway";

/**
 * A NodePool's machines on Azure: a Virtual Machine Scale Set (uniform orchestration) of the spec's image and VM
 * size in the spec's subnet, its capacity what Slipway decided (no Azure autoscale setting acts on it), and custom
 * data (cloud-init) that joins the hosted API. A new image or boot config rolls the VMs (rolling upgrade policy).
 */
export class AzureNodePool extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Output<unknown>>;

  constructor(name: string, inputs: AzureNodePoolInputs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:azure:NodePool", name, {}, opts);
    const p = inputs.platform;
    const id = poolIdentity(inputs);
    const size = nodeGroupSize(inputs);
    const scaleSet = new VirtualMachineScaleSet(
      `${name}-vmss`,
      {
        vmScaleSetName: id.infraID,
        resourceGroupName: p.resourceGroupName,
        location: p.region,
        sku: { name: p.vmSize, tier: "Standard", capacity: size.desired },
        orchestrationMode: "Uniform",
        overprovision: false,
        upgradePolicy: {
          mode: "Rolling",
          rollingUpgradePolicy: { maxBatchInstancePercent: 20, maxUnhealthyInstancePercent: 20 },
        },
        virtualMachineProfile: {
          osProfile: {
            computerNamePrefix: id.infraID.slice(0, 9),
            adminUsername: ADMIN_USER,
            customData: joinUserData(inputs, { base64: true }),
            linuxConfiguration: {
              disablePasswordAuthentication: true,
              ssh: {
                publicKeys: [{ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData: p.sshPublicKey }],
              },
            },
          },
          storageProfile: {
            imageReference: { id: p.imageID },
            osDisk: {
              createOption: "FromImage",
              diskSizeGB: p.diskSizeGiB,
              managedDisk: { storageAccountType: "Premium_LRS" },
            },
          },
          networkProfile: {
            networkInterfaceConfigurations: [
              {
                name: `${id.infraID}-nic`,
                primary: true,
                ipConfigurations: [{ name: "ipconfig", primary: true, subnet: { id: p.subnetID } }],
              },
            ],
          },
        },
        tags: poolPlainTags(id, p.userTags),
      },
      { parent: this, additionalSecretOutputs: ["virtualMachineProfile"] },
    );
    this.outputs = nodeGroupOutputs(
      id,
      scaleSet.name,
      size,
      scaleSet.sku.apply((sku) => sku?.capacity),
    );
    this.registerOutputs({});
  }
}

/** The `azure` platform's NodePool program. */
export const azureNodePoolProgram = nodeGroupProgram({
  platform: "azure",
  inputs: azureNodePoolInputs,
  provider: (inputs) => azureProvider(inputs.poolName, inputs.platform.region),
  component: AzureNodePool,
  groupWords: "scale set",
  // The stack, the provider, the component and the scale set.
  resources: 4,
});
