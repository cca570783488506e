/**
 * Browser side of the three.js anchor of bench/render.ts (bundled by esbuild into the page): the
 * same mesh, per-vertex colours = albedo, Lambert + ambient light, the renderer's camera, a pose
 * and light change per frame, and readPixels of every frame (as a dataset renderer must).
 */
import * as THREE from 'three';

interface MeshData { positions: number[]; normals: number[]; albedo: number[]; triangles: number[] }

async function runThreeBench(mesh: MeshData, size: number, durationMs: number): Promise<{ images: number; seconds: number; renderer: string }> {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: false });
  renderer.setPixelRatio(1);
  renderer.setSize(size, size, false);
  const target = new THREE.WebGLRenderTarget(size, size);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0.5, 0.5, 0.5);
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array(mesh.positions), 3));
  geometry.setAttribute('normal', new THREE.BufferAttribute(new Float32Array(mesh.normals), 3));
  geometry.setAttribute('color', new THREE.BufferAttribute(new Float32Array(mesh.albedo), 3));
  geometry.setIndex(new THREE.BufferAttribute(new Uint32Array(mesh.triangles), 1));
  const face = new THREE.Mesh(geometry, new THREE.MeshLambertMaterial({ vertexColors: true }));
  scene.add(face);
  scene.add(new THREE.AmbientLight(0xffffff, 0.35));
  const light = new THREE.DirectionalLight(0xffffff, 0.85);
  scene.add(light);
  // The software renderer's camera: 800 mm away, the image spans 260 mm at the head's depth.
  const camera = new THREE.PerspectiveCamera((2 * Math.atan(130 / 800) * 180) / Math.PI, 1, 10, 2000);
  camera.position.set(0, 0, 800);
  const pixels = new Uint8Array(size * size * 4);
  let n = 0;
  const frame = () => {
    face.rotation.set((((n % 21) - 10) * Math.PI) / 180, (((n % 61) - 30) * Math.PI) / 180, 0);
    const az = (((n % 91) - 45) * Math.PI) / 180, el = (25 * Math.PI) / 180;
    light.position.set(Math.cos(el) * Math.sin(az), Math.sin(el), Math.cos(el) * Math.cos(az));
    renderer.setRenderTarget(target);
    renderer.render(scene, camera);
    renderer.readRenderTargetPixels(target, 0, 0, size, size, pixels);
    n++;
  };
  for (let i = 0; i < 20; i++) frame(); // warm-up: shader compilation, buffer upload
  const t0 = performance.now();
  let images = 0;
  while (performance.now() - t0 < durationMs) {
    frame();
    images++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  renderer.dispose();
  return { images, seconds, renderer: name };
}

(window as unknown as { runThreeBench: typeof runThreeBench }).runThreeBench = runThreeBench;
