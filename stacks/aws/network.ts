import * as pulumi from "@pulumi/pulumi";
import { Eip } from "@pulumi/aws/ec2/eip.js";
import { InternetGateway } from "@pulumi/aws/ec2/internetGateway.js";
import { NatGateway } from "@pulumi/aws/ec2/natGateway.js";
import { RouteTable } from "@pulumi/aws/ec2/routeTable.js";
import { RouteTableAssociation } from "@pulumi/aws/ec2/routeTableAssociation.js";
import { Subnet } from "@pulumi/aws/ec2/subnet.js";
import { Vpc } from "@pulumi/aws/ec2/vpc.js";
import { splitCidr } from "../cloud/cidr.js";

export interface AWSNetworkArgs {
  infraID: string;
  cidr: string;
  zones: string[];
  tags: Record<string, string>;
}

/**
 * A VPC of the cluster's own: a public and a private subnet per zone, an internet gateway for the public ones and
 * one NAT gateway (in the first zone) for the private ones, where the nodes run. One NAT keeps an idle cluster's
 * bill down; a zone outage then cuts the other zones' nodes off the internet, not off each other.
 */
export class AWSNetwork extends pulumi.ComponentResource {
  readonly vpc: Vpc;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];

  constructor(name: string, args: AWSNetworkArgs, opts: pulumi.ComponentResourceOptions) {
    super("slipway:aws:Network", name, {}, opts);
    const child = { parent: this };
    const { infraID, zones } = args;
    const tagged = (resourceName: string, extra: Record<string, string> = {}) => ({
      ...args.tags,
      Name: resourceName,
      ...extra,
    });
    this.vpc = new Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: tagged(`${infraID}-vpc`),
      },
      child,
    );
    const vpcId = this.vpc.id;
    const cidrs = splitCidr(args.cidr, zones.length * 2);
    // The load balancers Kubernetes creates find their subnets by these tags.
    const clusterTag = { [`kubernetes.io/cluster/${infraID}`]: "shared" };
    this.publicSubnets = zones.map(
      (zone, i) =>
        new Subnet(
          `${name}-public-${zone}`,
          {
            vpcId,
            availabilityZone: zone,
            cidrBlock: cidrs[i]!,
            mapPublicIpOnLaunch: true,
            tags: tagged(`${infraID}-public-${zone}`, { ...clusterTag, "kubernetes.io/role/elb": "1" }),
          },
          child,
        ),
    );
    this.privateSubnets = zones.map(
      (zone, i) =>
        new Subnet(
          `${name}-private-${zone}`,
          {
            vpcId,
            availabilityZone: zone,
            cidrBlock: cidrs[zones.length + i]!,
            tags: tagged(`${infraID}-private-${zone}`, {
              ...clusterTag,
              "kubernetes.io/role/internal-elb": "1",
            }),
          },
          child,
        ),
    );
    const gateway = new InternetGateway(`${name}-igw`, { vpcId, tags: tagged(`${infraID}-igw`) }, child);
    const publicRoutes = new RouteTable(
      `${name}-public`,
      {
        vpcId,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
        tags: tagged(`${infraID}-public`),
      },
      child,
    );
    const natAddress = new Eip(`${name}-nat`, { domain: "vpc", tags: tagged(`${infraID}-nat`) }, child);
    const nat = new NatGateway(
      `${name}-nat`,
      {
        allocationId: natAddress.id,
        subnetId: this.publicSubnets[0]!.id,
        tags: tagged(`${infraID}-nat`),
      },
      { ...child, dependsOn: [gateway] },
    );
    const privateRoutes = new RouteTable(
      `${name}-private`,
      {
        vpcId,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: tagged(`${infraID}-private`),
      },
      child,
    );
    zones.forEach((zone, i) => {
      new RouteTableAssociation(
        `${name}-public-${zone}`,
        { subnetId: this.publicSubnets[i]!.id, routeTableId: publicRoutes.id },
        child,
      );
      new RouteTableAssociation(
        `${name}-private-${zone}`,
        { subnetId: this.privateSubnets[i]!.id, routeTableId: privateRoutes.id },
        child,
      );
    });
    this.registerOutputs({ vpcId });
  }
}
