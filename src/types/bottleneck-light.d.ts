// The throttling plugin's own build of Bottleneck (no Redis clustering); typed as the full one.
declare module "bottleneck/light.js" {
  import Bottleneck from "bottleneck";
  export default Bottleneck;
}
